import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { parkedGateOf } from '../../../executor/run/parked-gate.js';
import { foldRun } from '../../../executor/run-state/fold-run.js';
import { memorySink, newLog, runStartData } from '../audit/helpers.js';

/**
 * A resume of a parked run that is itself killed before its gate is answered or parks again
 * leaves `run:resume` as the last word about the gate. The next resume must continue the SAME
 * request (its comment, its deadline, the grants so far), not ask afresh: a new request would
 * drop the grants already given and restart the clock.
 */
async function records(after: (log: ReturnType<typeof newLog>) => Promise<void>): Promise<AuditRecord[]> {
  const sink = memorySink();
  const log = newLog([sink]);
  await log.emit('run:start', runStartData([{ id: 'decide', steps: ['declare', 'promote'] }], { runbook: 'failover' }));
  await log.emit('approval:requested', { stepId: 'declare', approvers: ['@bob', '@ann'], required: 2 });
  await log.emit('run:parked', {
    stepId: 'declare',
    approvers: ['@bob', '@ann'],
    required: 2,
    granted: 0,
    deadline: '2026-12-05T11:00:00.000Z',
    parkAfterMs: 60_000,
    request: { commentId: 41, createdAt: '2026-12-05T10:00:00.000Z', bot: 'runbook-bot', judged: [] },
  });
  await log.emit('run:resume', { by: 'bob', completed: [], inDoubt: [] });
  await after(log);
  return sink.records;
}

describe('a resume killed before its gate was answered', () => {
  it('continues the original request from the last run:parked', async () => {
    const rs = await records(async () => undefined);
    const run = foldRun(rs);
    expect(run.parked).toBeUndefined(); // the run is not parked any more: it was resumed
    expect(parkedGateOf(rs, run)).toMatchObject({
      stepId: 'declare',
      commentId: 41,
      deadline: '2026-12-05T11:00:00.000Z',
      initiator: 'alice',
    });
  });

  it('forgets the request once the gate step has ended', async () => {
    const rs = await records(async (log) => {
      await log.emit('step:start', {
        stepId: 'declare',
        attempt: 1,
        uses: 'shell',
        idempotent: false,
        sideEffects: true,
        dryRun: false,
      });
      await log.emit('step:end', { stepId: 'declare', attempt: 1, status: 'succeeded', durationMs: 1 });
    });
    expect(parkedGateOf(rs, foldRun(rs))).toBeUndefined();
  });
});
