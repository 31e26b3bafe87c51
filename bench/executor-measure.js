// One executor run for the benchmark (bench/executor.js): runGraph over a graph with a fake
// StepRunner and one of three event sinks, timed from run:start to the audit log's close.
// Run directly it repeats one scenario, for a CPU profile:
//   node --cpu-prof bench/executor-measure.js <noop|memory|file> [repeat]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createDbJournalSink } from '../dist/executor/audit/db-journal-sink.js';
import { createFileSink } from '../dist/executor/audit/file-sink.js';
import { createPgSink } from '../dist/executor/audit/pg-sink.js';
import { createAuditLog } from '../dist/executor/audit/record.js';
import { systemClock } from '../dist/executor/core/clock.js';
import { SecretMasker } from '../dist/executor/core/secrets.js';
import { runGraph } from '../dist/executor/scheduler/scheduler.js';
import { layeredGraph } from './executor-graphs.js';

/** A few secrets, as a real run has, so masking every record costs what it does in a run. */
const masker = new SecretMasker(['bench-secret-token-0123456789', 'postgres://app:bench-db-password@db:5432/app']);
const noOutputs = Object.freeze({});

/**
 * A StepRunner whose attempt resolves at once (`durations` absent) or after the step's duration
 * with a real timer (a `wait` step): no action, no templates, nothing but the scheduler.
 */
export function fakeRunner(durations) {
  return {
    dryRun: false,
    sideEffects: () => true,
    shouldRun: () => true,
    gate: async () => undefined,
    attempt: durations
      ? (n, _attempt, signal) => systemClock.sleep(durations.get(n.id), signal).then(() => ({ outputs: noOutputs }))
      : async () => ({ outputs: noOutputs }),
    compensate: async () => undefined,
    record: () => undefined,
  };
}

let runs = 0;

/**
 * The event sink of one scenario: nothing, the audit log in memory, the durable file log, or
 * (`pg`, with `url`) the file log plus the audit database as the journal of record, as a run with
 * `--audit-db` writes it (run-journal.ts).
 */
function eventsFor(kind, graph, url) {
  if (kind === 'noop') return { events: { emit: async () => undefined }, close: async () => ({}) };
  const dir = kind === 'file' || kind === 'pg' ? mkdtempSync(join(tmpdir(), 'runbook-bench-')) : undefined;
  const file = dir ? createFileSink({ path: join(dir, 'audit.jsonl') }) : undefined;
  const sinks = file ? [file] : [{ name: 'memory', write: async () => undefined }];
  if (kind === 'pg') sinks.push(createDbJournalSink({ open: () => createPgSink({ url }) }));
  const audit = createAuditLog({
    // A run id per run: the table's primary key is (run_id, seq).
    runId: `bench-run-${process.pid}-${++runs}`,
    runbook: graph.name,
    planHash: graph.planHash,
    commit: 'f'.repeat(40),
    actor: 'bench',
    sinks,
    masker,
  });
  return {
    events: audit,
    async close() {
      await audit.close();
      if (!file) return { records: audit.tail.seq };
      // The file must hold every record, one line each, or the figures describe a broken log.
      const lines = readFileSync(file.path, 'utf8').split('\n').length - 1;
      rmSync(dir, { recursive: true, force: true });
      if (lines !== audit.tail.seq) throw new Error(`audit file has ${lines} lines for ${audit.tail.seq} records`);
      return { records: audit.tail.seq, syncs: file.syncs };
    },
  };
}

/**
 * Runs `graph` once, as run-runbook.ts does (run:start, runGraph, run:end, close).
 * @returns {Promise<{ ms: number, records?: number, syncs?: number }>}
 */
export async function runOnce({ graph, kind, concurrency, durations, url }) {
  const { events, close } = eventsFor(kind, graph, url);
  const t0 = performance.now();
  await events.emit('run:start', {
    runbook: graph.name,
    title: graph.title,
    planHash: graph.planHash,
    initiator: 'bench',
    inputs: {},
    dryRun: false,
    drill: true,
    objectives: graph.objectives,
    phases: graph.phases.map((p) => ({ id: p.id, steps: p.steps })),
  });
  // runAttempt adds one abort listener per running attempt to the run's signal: above 10 at once
  // Node warns of a leak (MaxListenersExceededWarning), which a real run at --concurrency > 10
  // prints too. Not what is measured here, so the limit is raised for the bench's own signal.
  const signal = new AbortController().signal;
  setMaxListeners(concurrency + 10, signal);
  const result = await runGraph({
    graph,
    runner: fakeRunner(durations),
    events,
    clock: systemClock,
    signal,
    concurrency,
  });
  await events.emit('run:end', { status: result.status, durationMs: performance.now() - t0 });
  const counts = await close();
  const ms = performance.now() - t0;
  const succeeded = [...result.steps.values()].filter((s) => s.status === 'succeeded').length;
  if (result.status !== 'succeeded' || succeeded !== graph.nodes.length) {
    throw new Error(
      `run ${result.status}: ${succeeded}/${graph.nodes.length} steps succeeded, failed: ${result.failed.join(', ')}`,
    );
  }
  return { ms, ...counts };
}

// Profiling entry: one warm-up, then `repeat` runs of the 10,000-step graph with one sink.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind = 'file', repeat = '3'] = process.argv.slice(2);
  const { graph } = layeredGraph();
  for (let i = 0; i <= Number(repeat); i++) {
    const r = await runOnce({ graph, kind, concurrency: 100 });
    console.log(`${kind} run ${i === 0 ? 'warm-up' : i}: ${r.ms.toFixed(0)} ms`);
  }
}
