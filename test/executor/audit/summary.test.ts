import { describe, expect, it } from 'vitest';
import { summarizeAudit } from '../../../executor/audit/summary.js';
import { renderAuditSummary } from '../../../executor/audit/summary-render.js';
import { emitSampleRun, memorySink, newLog } from './helpers.js';

async function sampleRecords() {
  const sink = memorySink();
  await emitSampleRun(newLog([sink]));
  return sink.records;
}

describe('summarizeAudit', () => {
  it('tells who, when, inputs, steps, approvals, phases against budgets and the RTO', async () => {
    const s = summarizeAudit(await sampleRecords());
    expect(s).toMatchObject({
      runId: 'run-1',
      runbook: 'primary-region-failure',
      title: 'Fail over to the DR region',
      initiator: 'alice',
      actor: 'alice',
      startedAt: '2025-03-01T10:00:00.000Z',
      endedAt: '2025-03-01T10:00:12.000Z',
      drill: true,
      dryRun: false,
      inputs: { region: 'us-west-2' },
      commit: 'abc1234',
      outcome: { status: 'succeeded', durationMs: 12_000 },
      rto: { objectiveMs: 3_600_000, measuredMs: 10_000, met: true, source: 'recovered-at' },
      rpoObjectiveMs: 300_000,
    });
    expect(s.steps).toEqual([
      expect.objectContaining({
        stepId: 'check',
        uses: 'http.check',
        startMs: 2000,
        endMs: 3000,
        durationMs: 1000,
        attempts: 1,
        status: 'succeeded',
        outputs: { healthy: false },
      }),
      expect.objectContaining({
        stepId: 'promote',
        startMs: 8000,
        endMs: 10_000,
        attempts: 2,
        status: 'succeeded',
        retries: [expect.objectContaining({ attempt: 1, error: 'Throttling' })],
      }),
    ]);
    expect(s.approvals).toEqual([
      expect.objectContaining({
        stepId: 'promote',
        decision: 'granted',
        approver: 'bob',
        source: 'github-review',
        reference: 'https://github.com/o/r/pull/7',
      }),
    ]);
    expect(s.phases).toEqual([
      { id: 'assess', budgetMs: 2000, durationMs: 3000, status: 'over' },
      { id: 'failover', budgetMs: 60_000, durationMs: 5000, status: 'ok' },
    ]);
  });

  it('measures the RTO at the recovery step when run:end has no recoveredAtMs; an unfinished run has no outcome', async () => {
    const records = (await sampleRecords()).slice(0, 11); // up to promote's step:end
    const s = summarizeAudit(records, { recoveryStep: 'promote' });
    expect(s.outcome.status).toBe('unfinished');
    expect(s.rto).toEqual({ objectiveMs: 3_600_000, measuredMs: 10_000, met: true, source: 'recovery-step' });
    expect(s.phases[1]).toMatchObject({ id: 'failover', status: 'ok', durationMs: 2000 }); // from its step times
  });

  it('records rollback, refusals and a failed outcome', async () => {
    const sink = memorySink();
    const log = newLog([sink]);
    await log.emit('run:start', {
      runbook: 'r',
      title: 'R',
      planHash: 'p',
      initiator: 'alice',
      inputs: {},
      dryRun: false,
      drill: false,
      objectives: { rtoMs: 1000 },
      phases: [],
    });
    await log.emit('approval:refused', {
      stepId: 'promote',
      approver: 'alice',
      source: 'local-prompt',
      reason: 'initiator cannot approve',
    });
    await log.emit('rollback:start', { reason: 'promote failed', steps: ['check'] });
    await log.emit('rollback:step', { stepId: 'check', status: 'succeeded' });
    await log.emit('rollback:end', { status: 'complete' });
    await log.emit('run:end', { status: 'rolled-back', durationMs: 5000 });
    const s = summarizeAudit(sink.records);
    expect(s.rollback).toMatchObject({
      reason: 'promote failed',
      status: 'complete',
      steps: [{ stepId: 'check', status: 'succeeded' }],
    });
    expect(s.approvals[0]).toMatchObject({ decision: 'refused', approver: 'alice', source: 'local-prompt' });
    expect(s.rto).toMatchObject({ met: false, source: 'none' });
    const text = renderAuditSummary(s, { color: false });
    expect(text).toContain('✖ rolled-back');
    expect(text).toContain('✖ RTO not recovered');
  });
});

describe('renderAuditSummary', () => {
  it('renders header, timeline, phases, approvals and outcome; plain without color', async () => {
    const text = renderAuditSummary(summarizeAudit(await sampleRecords()), { color: false });
    expect(text).not.toMatch(/\x1b\[/);
    for (const part of [
      'Run run-1',
      'initiated by alice',
      'region=us-west-2',
      'Timeline',
      'Phases',
      'Approvals',
      'Outcome',
    ])
      expect(text).toContain(part);
    expect(text).toMatch(/promote\s+\+8s\s+\+10s\s+2s\s+2\s+succeeded/);
    expect(text).toMatch(/assess\s+3s\s+2s\s+✖ over budget/);
    expect(text).toContain('approved by bob via github-review');
    expect(text).toContain('✔ succeeded in 12s');
    expect(text).toContain('✔ RTO 10s (recovered-at) against the objective 1h');
  });

  it('colors when asked', async () => {
    expect(renderAuditSummary(summarizeAudit(await sampleRecords()), { color: true })).toMatch(/\x1b\[/);
  });
});
