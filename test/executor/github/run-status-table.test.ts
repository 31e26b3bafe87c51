import { describe, expect, it } from 'vitest';
import type { RunEvents } from '../../../executor/core/events.js';
import { foldRecord, newRunStatus, renderRunStatus } from '../../../executor/github/run-status-table.js';
import { memorySink, newLog, runStartData } from '../audit/helpers.js';

const start = (stepId: string, attempt = 1): RunEvents['step:start'] => ({
  stepId,
  attempt,
  uses: 'shell',
  idempotent: false,
  sideEffects: true,
  dryRun: false,
});

/** The table rows of a journal written by the real audit log, one second per record from 10:00:00. */
async function rows(write: (log: ReturnType<typeof newLog>) => Promise<void>): Promise<string[]> {
  const sink = memorySink();
  const log = newLog([sink]);
  await write(log);
  const state = newRunStatus();
  for (const r of sink.records) foldRecord(state, r);
  return renderRunStatus(state, { marker: '<!-- m -->' })
    .split('\n')
    .filter((l) => l.startsWith('| ') && l.includes('`'));
}

describe('the GitHub run status table', () => {
  it('counts attempts as the journal numbers them: a retried step 2, a skipped step none', async () => {
    const table = await rows(async (log) => {
      await log.emit(
        'run:start',
        runStartData([{ id: 'p', steps: ['flaky', 'skipped', 'gate', 'undone'] }], { runbook: 'rb' }),
      );
      await log.emit('step:start', start('flaky'));
      await log.emit('step:retry', { stepId: 'flaky', attempt: 1, error: 'Throttling', delayMs: 10 });
      await log.emit('step:start', start('flaky', 2));
      await log.emit('step:end', { stepId: 'flaky', attempt: 2, status: 'succeeded', durationMs: 1500 });
      await log.emit('step:end', { stepId: 'skipped', attempt: 0, status: 'skipped', durationMs: 0, reason: 'no' });
      await log.emit('step:start', start('undone'));
      await log.emit('step:end', { stepId: 'undone', attempt: 1, status: 'succeeded', durationMs: 20 });
      await log.emit('approval:requested', { stepId: 'gate', approvers: ['bob'], required: 1 });
      await log.emit('rollback:start', { reason: 'gate refused', steps: ['undone'] });
      await log.emit('rollback:step', { stepId: 'undone', status: 'succeeded' });
    });
    expect(table).toEqual([
      '| ✅ | `flaky` | p | 10:00:01 | 1.5 s | 2 | succeeded |',
      '| ⏭️ | `skipped` | p |  | 0 ms |  | no |',
      '| 🔐 | `gate` | p |  |  |  | awaiting-approval |',
      '| ↩️ | `undone` | p | 10:00:06 | 20 ms | 1 | rolled-back |',
    ]);
  });
});
