// Journal measurements for the benchmark (bench/journal.js forks this, one process per run):
//   node bench/journal-measure.js prepare <dir>             writes the graph and the two journals
//   node bench/journal-measure.js verify <dir> [threads]    times verifyAudit of the big journal
//   node bench/journal-measure.js floor <dir>               times only reading it and sha256 of each line
//   node bench/journal-measure.js resume <dir> <copy-dir>   times a resume to its first new step
// Each run sends one message { ms, records? } (or { error }) to its parent.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFileSink } from '../dist/executor/audit/file-sink.js';
import { createAuditLog } from '../dist/executor/audit/record.js';
import { verifyChainFile } from '../dist/executor/audit/verify.js';
import { readChainFileInParts } from '../dist/executor/audit/verify-parts.js';
import { systemClock } from '../dist/executor/core/clock.js';
import { SecretMasker } from '../dist/executor/core/secrets.js';
import { loadGraph } from '../dist/executor/run/load-graph.js';
import { prepareResume } from '../dist/executor/run/resume.js';
import { runGraph } from '../dist/executor/scheduler/scheduler.js';
import { graphHash } from '../dist/ir/plan-hash.js';
import { layeredGraph } from './executor-graphs.js';

export const runId = 'bench-layered-20261201T000000Z-0001';
/** Steps of the killed run that ended before the kill: the first `doneLayers` layers of 100. */
export const doneLayers = 50;
/** Records of the journal `verify` reads. */
export const verifyRecords = 200_000;

const masker = new SecretMasker(['bench-secret-token-0123456789']);
const noOutputs = Object.freeze({});
const never = () => new Promise(() => undefined);

function auditLog(path, graph, continueFrom) {
  const file = createFileSink({ path });
  const log = createAuditLog({
    runId,
    runbook: graph.name,
    planHash: graph.planHash,
    commit: 'f'.repeat(40),
    actor: 'bench',
    sinks: [file],
    masker,
    ...(continueFrom ? { continueFrom } : {}),
  });
  return log;
}

/** A runner whose steps of the first `layers` layers succeed at once and whose others never end. */
function runner(done) {
  return {
    dryRun: false,
    sideEffects: () => true,
    shouldRun: () => true,
    gate: async () => undefined,
    attempt: (n) => (done(n.id) ? Promise.resolve({ outputs: noOutputs }) : never()),
    compensate: async () => undefined,
    record: () => undefined,
  };
}

/** CPU time of this process since `start`: the figure to trust on a machine that is busy. */
const cpuMs = (start) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

const layerOf = (id) => Number(id.slice(1, 4));

/** The 10,000-step graph (generated/graphs/) and the journal of its run, killed half-way. */
async function prepare(dir) {
  const { graph } = layeredGraph();
  graph.planHash = graphHash(graph);
  mkdirSync(join(dir, 'generated', 'graphs'), { recursive: true });
  writeFileSync(join(dir, 'generated', 'graphs', `${graph.name}.json`), JSON.stringify(graph, null, 2) + '\n');
  const runDir = join(dir, 'killed');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const log = auditLog(join(runDir, 'audit.jsonl'), graph);
  await log.emit('run:start', {
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
  const total = doneLayers * 100;
  let ended = 0;
  let killed;
  const allDone = new Promise((resolve) => (killed = resolve));
  const events = {
    emit: (type, data) => {
      const p = log.emit(type, data);
      if (type === 'step:end' && ++ended === total) p.then(killed);
      return p;
    },
  };
  const signal = new AbortController().signal;
  void runGraph({
    graph,
    runner: runner((id) => layerOf(id) < doneLayers),
    events,
    clock: systemClock,
    signal,
    concurrency: 100,
  });
  await allDone; // the kill: every record so far is durable, and no run:end is written
  await writeBigJournal(dir, graph);
  process.send?.({ ms: 0 });
  process.exit(0);
}

/** `verifyRecords` step records in one chain, for the throughput of verify. */
async function writeBigJournal(dir, graph) {
  const path = join(dir, 'verify.jsonl');
  rmSync(path, { force: true });
  const log = auditLog(path, graph);
  const pending = [];
  for (let i = 0; i < verifyRecords / 2; i++) {
    const stepId = graph.nodes[i % graph.nodes.length].id;
    pending.push(
      log.emit('step:start', { stepId, attempt: 1, uses: 'wait', idempotent: true, sideEffects: true, dryRun: false }),
    );
    pending.push(log.emit('step:end', { stepId, attempt: 1, status: 'succeeded', durationMs: 1, outputs: {} }));
    if (pending.length >= 10_000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await log.close();
}

/**
 * verifyAudit of the big journal (the same two calls), with `parts` threads ('' = verify's own
 * choice, partsFor: the threads it used are reported).
 */
async function verify(dir, parts) {
  const load = loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const read = await readChainFileInParts(join(dir, 'verify.jsonl'), parts ? Number(parts) : undefined);
  const result = verifyChainFile(read.file, {});
  const ms = performance.now() - t0;
  if (!result.ok || result.count !== verifyRecords) throw new Error(`verify: ok=${result.ok}, ${result.count} records`);
  process.send?.({ ms, cpuMs: cpuMs(cpu0), records: result.count, threads: read.threads, load });
}

/**
 * The floor under (a) on this machine: only reading the journal in one buffer and sha256 of each
 * line's bytes (crypto.hash where Node has it), no canonicity proof, no records, no chain checks.
 */
async function floor(dir) {
  const { hash, createHash } = await import('node:crypto');
  const sha = hash ? (b) => hash('sha256', b, 'hex') : (b) => createHash('sha256').update(b).digest('hex');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const bytes = readFileSync(join(dir, 'verify.jsonl'));
  let records = 0;
  for (let s = 0, i = bytes.indexOf(10); i >= 0; s = i + 1, i = bytes.indexOf(10, s), records++)
    sha(bytes.subarray(s, i));
  process.send?.({ ms: performance.now() - t0, cpuMs: cpuMs(cpu0), records, oneShot: Boolean(hash) });
}

/** Resumes a copy of the killed run, as `runbook resume` does, up to the first step:start of a new step. */
async function resume(dir, copy) {
  const runDir = join(copy, '.runbook', 'runs', runId);
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  mkdirSync(join(copy, 'generated', 'graphs'), { recursive: true });
  copyFileSync(join(dir, 'killed', 'audit.jsonl'), join(runDir, 'audit.jsonl'));
  copyFileSync(
    join(dir, 'generated', 'graphs', 'bench-layered.json'),
    join(copy, 'generated', 'graphs', 'bench-layered.json'),
  );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { name, state } = await prepareResume({ root: copy, runId, by: 'bench', decide: async () => 'rerun' });
  const graph = loadGraph(copy, name);
  const log = auditLog(join(runDir, 'audit.jsonl'), graph, state.tail);
  await log.emit('run:resume', { by: 'bench', completed: [...state.restored.keys()], inDoubt: state.inDoubt });
  let first;
  const started = new Promise((resolve) => (first = resolve));
  const events = {
    emit: (type, data) => {
      const p = log.emit(type, data);
      if (type === 'step:start' && !state.restored.has(data.stepId)) p.then(() => first(data.stepId));
      return p;
    },
  };
  const signal = new AbortController().signal;
  void runGraph({
    graph,
    runner: runner(() => false),
    events,
    clock: systemClock,
    signal,
    concurrency: 100,
    restored: state.restored,
  });
  const stepId = await started;
  const ms = performance.now() - t0;
  if (layerOf(stepId) < doneLayers - 1) throw new Error(`resume started ${stepId}, which the journal has done`);
  process.send?.({ ms, cpuMs: cpuMs(cpu0), restored: state.restored.size, inDoubt: state.inDoubt.length });
  process.exit(0);
}

const [mode, dir, copy] = process.argv.slice(2);
const modes = {
  prepare: () => prepare(dir),
  verify: () => verify(dir, copy),
  floor: () => floor(dir),
  resume: () => resume(dir, copy),
};
modes[mode]().catch((e) => {
  process.send?.({ error: e.stack ?? String(e) });
  process.exitCode = 1;
});
