import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../executor/audit/record.js';
import type { EventSink } from '../../../executor/core/events.js';
import { foldRun } from '../../../executor/run-state/fold-run.js';
import { memorySink, newLog, runStartData } from '../audit/helpers.js';

/** A journal written by the real audit log: a, b done; c failed; the rollback undid b, then began a's compensation. */
async function diedUndoingA(after: (log: EventSink) => Promise<void> = async () => undefined): Promise<AuditRecord[]> {
  const sink = memorySink();
  const log = newLog([sink]);
  const start = { attempt: 1, uses: 'shell', idempotent: false, sideEffects: true, dryRun: false };
  await log.emit('run:start', runStartData([{ id: 'p', steps: ['a', 'b', 'c'] }], { runbook: 'r', title: 'R' }));
  for (const id of ['a', 'b']) {
    await log.emit('step:start', { stepId: id, ...start });
    await log.emit('step:end', { stepId: id, attempt: 1, status: 'succeeded', durationMs: 1 });
  }
  await log.emit('step:start', { stepId: 'c', ...start });
  await log.emit('step:end', { stepId: 'c', attempt: 1, status: 'failed', durationMs: 1, error: 'boom' });
  await log.emit('rollback:start', { reason: 'step c failed: boom', steps: ['b', 'a'] });
  await log.emit('rollback:compensate', { stepId: 'b' });
  await log.emit('rollback:step', { stepId: 'b', status: 'succeeded' });
  await log.emit('rollback:compensate', { stepId: 'a' });
  await after(log);
  await log.close();
  return sink.records;
}

const decision = (stepId: string, decision: 'skip' | 'rerun') => ({ stepId, decision, by: '@ops' }) as const;

describe('compensations in doubt (rollback:compensate without rollback:step)', () => {
  it('a compensation that ended is not in doubt; the one the run died in is, and its step is still done', async () => {
    const run = foldRun(await diedUndoingA());
    expect([...run.compensating]).toEqual(['a']);
    expect([...run.done.keys()]).toEqual(['a']);
    expect([...run.inDoubt]).toEqual([]);
  });

  it('"skip" (it completed): the step is undone, as after a rollback:step that succeeded', async () => {
    const run = foldRun(await diedUndoingA((log) => log.emit('operator:decision', decision('rollback:a', 'skip'))));
    expect([...run.compensating]).toEqual([]);
    expect([...run.done.keys()]).toEqual([]);
  });

  it('"rerun" (it did not): the step stays done, to be compensated if the run rolls back again', async () => {
    const run = foldRun(await diedUndoingA((log) => log.emit('operator:decision', decision('rollback:a', 'rerun'))));
    expect([...run.compensating]).toEqual([]);
    expect([...run.done.keys()]).toEqual(['a']);
  });
});
