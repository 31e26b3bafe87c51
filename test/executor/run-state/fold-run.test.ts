import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../executor/audit/record.js';
import type { EventSink, RunEvents } from '../../../executor/core/events.js';
import {
  applyRecord,
  createRunState,
  currentRollback,
  foldRun,
  isOver,
  phaseSteps,
} from '../../../executor/run-state/fold-run.js';
import { memorySink, newLog, runStartData } from '../audit/helpers.js';

/** A journal written by the real audit log (hash-chained, one second per record from 10:00:00). */
async function journal(write: (log: EventSink) => Promise<void>, after?: AuditRecord): Promise<AuditRecord[]> {
  const sink = memorySink();
  const log = newLog([sink], after ? { continueFrom: { seq: after.seq, hash: after.hash } } : {});
  await write(log);
  await log.close();
  return sink.records;
}

const runStart = (phases: RunEvents['run:start']['phases']) => runStartData(phases);
const start = (stepId: string, attempt = 1): RunEvents['step:start'] => ({
  stepId,
  attempt,
  uses: 'shell',
  idempotent: false,
  sideEffects: true,
  dryRun: false,
});
const ok = (stepId: string, attempt = 1, outputs?: Record<string, unknown>): RunEvents['step:end'] => ({
  stepId,
  attempt,
  status: 'succeeded',
  durationMs: 1000,
  ...(outputs ? { outputs } : {}),
});

describe('foldRun', () => {
  it('a retried step: one step, its highest attempt, its retries, timed from its first start', async () => {
    const run = foldRun(
      await journal(async (log) => {
        await log.emit('run:start', runStart([{ id: 'p', steps: ['flaky', 'never'] }]));
        await log.emit('step:start', start('flaky'));
        await log.emit('step:retry', {
          stepId: 'flaky',
          attempt: 1,
          error: 'Throttling',
          code: 'throttled',
          delayMs: 500,
        });
        await log.emit('step:start', start('flaky', 2));
        await log.emit('step:end', ok('flaky', 2, { id: 'x' }));
        await log.emit('step:end', { stepId: 'never', attempt: 0, status: 'skipped', durationMs: 0, reason: 'no' });
      }),
    );
    const flaky = run.steps.get('flaky')!;
    expect(flaky).toMatchObject({ status: 'succeeded', attempt: 2, attempts: 2, outputs: { id: 'x' }, phase: 'p' });
    expect(flaky.started?.at).toBe('2025-03-01T10:00:01.000Z');
    expect(flaky.ended?.at).toBe('2025-03-01T10:00:04.000Z');
    expect(flaky.retries).toEqual([
      { attempt: 1, error: 'Throttling', code: 'throttled', delayMs: 500, at: '2025-03-01T10:00:02.000Z' },
    ]);
    expect(flaky.code).toBeUndefined(); // the retry's code is cleared when the step succeeds
    // Skipped before any attempt: no attempt was made.
    expect(run.steps.get('never')).toMatchObject({ status: 'skipped', attempts: 0, reason: 'no' });
    expect(run.order).toEqual(['flaky', 'never']);
    expect([...run.done.keys()]).toEqual(['flaky', 'never']);
  });

  it('a rolled-back run: compensated steps are no longer done; the rollback says what it left', async () => {
    const run = foldRun(
      await journal(async (log) => {
        await log.emit('run:start', runStart([{ id: 'p', steps: ['a', 'b', 'c'] }]));
        for (const id of ['a', 'b']) {
          await log.emit('step:start', start(id));
          await log.emit('step:rollback-data', { stepId: id, attempt: 1, data: { was: id }, digest: 'd' });
          await log.emit('step:end', ok(id));
        }
        await log.emit('step:start', start('c'));
        await log.emit('step:end', { stepId: 'c', attempt: 1, status: 'failed', durationMs: 5, error: 'boom' });
        await log.emit('rollback:start', { reason: 'step c failed: boom', steps: ['b', 'a'] });
        await log.emit('rollback:step', { stepId: 'b', status: 'succeeded' });
        await log.emit('rollback:step', { stepId: 'a', status: 'failed', error: 'denied' });
        await log.emit('rollback:end', {
          status: 'failed',
          stoppedAt: 'a',
          notUndone: ['a'],
          reason: 'rollback of a failed: denied',
        });
        await log.emit('run:end', { status: 'rollback-incomplete', durationMs: 9000 });
      }),
    );
    expect([...run.done.keys()]).toEqual(['a']);
    expect(run.steps.get('b')).toMatchObject({ rollback: { status: 'succeeded' }, rollbackData: undefined });
    expect(run.steps.get('a')).toMatchObject({ rollback: { status: 'failed', error: 'denied' } });
    expect(run.steps.get('a')?.rollbackData).toEqual({ data: { was: 'a' }, digest: 'd' });
    const rollback = currentRollback(run)!;
    expect(rollback.planned).toEqual(['b', 'a']);
    expect(rollback.steps.map((s) => s.stepId)).toEqual(['b', 'a']);
    expect(rollback.end).toMatchObject({ status: 'failed', stoppedAt: 'a', notUndone: ['a'] });
    expect(isOver(run)).toBe(true);
  });

  it('a resumed run: in-doubt steps, an operator skip, finally steps afresh after a failed end', async () => {
    const records = await journal(async (log) => {
      await log.emit(
        'run:start',
        runStart([
          { id: 'p', steps: ['x', 'y', 'z'] },
          { id: 'finally', steps: ['f'] },
        ]),
      );
      await log.emit('step:start', start('x'));
      await log.emit('step:end', ok('x', 1, { v: 1 }));
      await log.emit('step:start', start('y'));
      await log.emit('step:start', start('z'));
      await log.emit('step:end', { stepId: 'z', attempt: 1, status: 'failed', durationMs: 3, error: 'no' });
      await log.emit('phase:start', { phaseId: 'finally', runStatus: 'failed', failed: ['z'] });
      await log.emit('step:start', start('f'));
      await log.emit('step:end', ok('f'));
      await log.emit('run:end', { status: 'failed', durationMs: 10 });
    });
    const killed = foldRun(records);
    expect([...killed.done.keys()]).toEqual(['x']);
    expect([...killed.inDoubt]).toEqual(['y']);
    // The failed end cleared the finally outcome and the finally step: they run again.
    expect(killed.phasesEnded).toBeUndefined();
    expect(isOver(killed)).toBe(true);

    const resumed = await journal(async (log) => {
      await log.emit('run:resume', { by: 'bob', completed: ['x'], inDoubt: ['y'] });
      await log.emit('operator:decision', { stepId: 'y', decision: 'skip', by: 'bob' });
    }, records.at(-1));
    const state = foldRun(resumed, killed);
    expect(isOver(state)).toBe(false);
    expect([...state.done]).toEqual([
      ['x', { status: 'succeeded', outputs: { v: 1 } }],
      ['y', { status: 'succeeded', outputs: {} }],
    ]);
    expect(state.inDoubt.size).toBe(0);
    expect(state.resumes.map((r) => r.by)).toEqual(['bob']);
    expect(state.decisions).toEqual([expect.objectContaining({ stepId: 'y', decision: 'skip' })]);
  });

  it('a run killed inside finally keeps the phases outcome; a cancelled step is in doubt', async () => {
    const run = foldRun(
      await journal(async (log) => {
        await log.emit(
          'run:start',
          runStart([
            { id: 'p', steps: ['a'] },
            { id: 'finally', steps: ['f'] },
          ]),
        );
        await log.emit('step:start', start('a'));
        await log.emit('step:end', { stepId: 'a', attempt: 1, status: 'cancelled', durationMs: 1, error: 'stop' });
        await log.emit('phase:start', { phaseId: 'finally', runStatus: 'failed', failed: ['a'] });
        await log.emit('step:start', start('f'));
        await log.emit('run:end', { status: 'interrupted', durationMs: 10 });
      }),
    );
    expect(run.phasesEnded).toEqual({ status: 'failed', failed: ['a'] });
    expect([...run.inDoubt]).toEqual(['a', 'f']);
  });

  it('parallel steps: interleaved records, each step its own; a step run:start does not name joins the running phase', async () => {
    const run = foldRun(
      await journal(async (log) => {
        await log.emit('run:start', runStart([{ id: 'p', budgetMs: 60_000, steps: ['a', 'b'] }]));
        await log.emit('phase:start', { phaseId: 'p' });
        await log.emit('step:start', start('b'));
        await log.emit('step:start', start('a'));
        await log.emit('step:start', start('child/s1'));
        await log.emit('step:end', ok('a'));
        await log.emit('step:end', ok('child/s1'));
        await log.emit('step:end', ok('b'));
        await log.emit('phase:end', { phaseId: 'p', durationMs: 6000, budgetMs: 60_000 });
      }),
    );
    expect(run.order).toEqual(['b', 'a', 'child/s1']);
    const phase = run.phases[0];
    expect(phaseSteps(phase)).toEqual(['a', 'b', 'child/s1']);
    expect(phase).toMatchObject({ id: 'p', durationMs: 6000, budgetMs: 60_000 });
    expect(run.steps.get('child/s1')?.phase).toBeUndefined();
    expect([...run.steps.values()].map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('an approval: open until granted in full; a final refusal closes it; the step clears it', async () => {
    const approval = (approver: string) => ({ approver, source: 'local-prompt', planHash: 'p', at: 'now' });
    const records = await journal(async (log) => {
      await log.emit('run:start', runStart([{ id: 'p', steps: ['gate', 'other'] }]));
      await log.emit('approval:requested', { stepId: 'gate', approvers: ['bob', 'carol'], required: 2 });
      await log.emit('approval:granted', { stepId: 'gate', approval: approval('bob'), count: 1, required: 2 });
      await log.emit('approval:granted', { stepId: 'gate', approval: approval('carol'), count: 2, required: 2 });
      await log.emit('approval:requested', { stepId: 'other', approvers: ['bob'], required: 1 });
      await log.emit('approval:refused', { stepId: 'other', source: 'deadline', reason: 'too late' });
    });
    const state = createRunState();
    applyRecord(state, records[0]);
    applyRecord(state, records[1]);
    applyRecord(state, records[2]);
    expect(state.steps.get('gate')?.approval).toMatchObject({ open: true, count: 1, required: 2 });
    for (const r of records.slice(3)) applyRecord(state, r);
    expect(state.steps.get('gate')?.approval).toMatchObject({ open: false, count: 2 });
    expect(state.steps.get('gate')?.lastGrant).toEqual({ approver: 'carol', count: 2, required: 2 });
    expect(state.steps.get('other')?.approval?.open).toBe(false);
    expect(state.approvals.map((a) => [a.stepId, a.granted ? 'granted' : 'refused'])).toEqual([
      ['gate', 'granted'],
      ['gate', 'granted'],
      ['other', 'refused'],
    ]);
    // Incremental and whole-journal folds agree.
    expect(state).toEqual(foldRun(records));
    const more = await journal(async (log) => log.emit('step:start', { ...start('gate'), uses: 'approval' }));
    expect(applyRecord(state, more[0]).steps.get('gate')).toMatchObject({ status: 'running', approval: undefined });
  });
});
