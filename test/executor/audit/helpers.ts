import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSink, RunEvents } from '../../../executor/core/events.js';
import { createFileSink } from '../../../executor/audit/file-sink.js';
import { readFileSync } from 'node:fs';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { createAuditLog, type AuditLog, type AuditRecord, type AuditSink } from '../../../executor/audit/record.js';

/** A clock that moves one second per reading, from a fixed start: records get stable times. */
export function steppingClock(startIso = '2025-03-01T10:00:00.000Z', stepMs = 1000): () => Date {
  let t = Date.parse(startIso);
  return () => {
    const d = new Date(t);
    t += stepMs;
    return d;
  };
}

/** An in-memory sink: records in the order received. */
export function memorySink(): AuditSink & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return { name: 'memory', records, write: async (rs) => void records.push(...rs) };
}

export function newLog(sinks: AuditSink[], overrides: Partial<Parameters<typeof createAuditLog>[0]> = {}): AuditLog {
  return createAuditLog({
    runId: 'run-1',
    runbook: 'primary-region-failure',
    planHash: 'p'.repeat(64),
    commit: 'abc1234',
    actor: 'alice',
    sinks,
    masker: new SecretMasker([]),
    clock: steppingClock(),
    ...overrides,
  });
}

/**
 * A small complete run: two phases, an approval, a retry, recovery at `promote`'s end.
 * 13 records; seq 13 is run:end.
 */
export async function emitSampleRun(log: EventSink): Promise<void> {
  await log.emit('run:start', {
    runbook: 'primary-region-failure',
    title: 'Fail over to the DR region',
    planHash: 'p'.repeat(64),
    initiator: 'alice',
    inputs: { region: 'us-west-2' },
    dryRun: false,
    drill: true,
    objectives: { rtoMs: 3_600_000, rpoMs: 300_000 },
    phases: [
      { id: 'assess', budgetMs: 2_000, steps: ['check'] },
      { id: 'failover', budgetMs: 60_000, steps: ['promote'] },
    ],
  });
  await log.emit('phase:start', { phaseId: 'assess' });
  await log.emit('step:start', {
    stepId: 'check',
    attempt: 1,
    uses: 'http.check',
    idempotent: true,
    sideEffects: false,
    dryRun: false,
  });
  await log.emit('step:end', {
    stepId: 'check',
    attempt: 1,
    status: 'succeeded',
    durationMs: 1000,
    outputs: { healthy: false },
  });
  await log.emit('phase:end', { phaseId: 'assess', durationMs: 3000, budgetMs: 2000 });
  await log.emit('phase:start', { phaseId: 'failover' });
  await log.emit('approval:requested', { stepId: 'promote', approvers: ['bob', 'carol'], required: 1 });
  await log.emit('approval:granted', {
    stepId: 'promote',
    count: 1,
    required: 1,
    approval: {
      approver: 'bob',
      source: 'github-review',
      planHash: 'p'.repeat(64),
      at: '2025-03-01T10:00:07.000Z',
      reference: 'https://github.com/o/r/pull/7',
    },
  });
  await log.emit('step:start', {
    stepId: 'promote',
    attempt: 1,
    uses: 'aws.rds.promote',
    idempotent: false,
    sideEffects: true,
    dryRun: false,
  });
  await log.emit('step:retry', { stepId: 'promote', attempt: 1, error: 'Throttling', delayMs: 500 });
  await log.emit('step:end', {
    stepId: 'promote',
    attempt: 2,
    status: 'succeeded',
    durationMs: 2000,
    outputs: { endpoint: 'db.example' },
  });
  await log.emit('phase:end', { phaseId: 'failover', durationMs: 5000, budgetMs: 60000 });
  await log.emit('run:end', { status: 'succeeded', durationMs: 12_000, recoveredAtMs: 10_000 });
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'runbook-audit-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A live run's run:start data with these phases (and any field overridden): the fixtures' common head. */
export function runStartData(
  phases: RunEvents['run:start']['phases'],
  overrides: Partial<RunEvents['run:start']> = {},
): RunEvents['run:start'] {
  return {
    runbook: 'primary-region-failure',
    title: 'Fail over',
    planHash: 'p'.repeat(64),
    initiator: 'alice',
    inputs: {},
    dryRun: false,
    drill: false,
    objectives: {},
    phases,
    ...overrides,
  };
}

/**
 * Writes a signed journal at `path`: a step:end whose outputs hold values of every kind
 * canonicalJson orders and escapes, then the sample run. Returns its lines (no trailing newline).
 */
export async function writeSampleJournal(path: string): Promise<string[]> {
  const log = newLog([createFileSink({ path })], { sign: (hash) => `sig-of-${hash.slice(0, 8)}` });
  await log.emit('step:end', {
    stepId: 'extra',
    attempt: 1,
    status: 'succeeded',
    durationMs: 1.5,
    outputs: { b: 'é😀\u0001\n"q"\\', '10': [1e21, -3, null, true], '9': { z: 1, a: [] }, a: 'plain' },
  });
  await emitSampleRun(log);
  await log.close();
  return readFileSync(path, 'utf8').split('\n').slice(0, -1);
}
