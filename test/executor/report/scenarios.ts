import { createAuditLog, type AuditRecord, type AuditSink } from '../../../executor/audit/record.js';
import type { EventSink } from '../../../executor/core/events.js';
import { SecretMasker } from '../../../executor/core/secrets.js';
import type { DrillRecord } from '../../../ir/drill-record.js';

/**
 * Scripted runs written through the real audit log into memory: the report is built from the
 * exact records a run leaves, hash chain and masking included. Each script moves a manual clock,
 * so step and phase times are chosen, not incidental.
 */

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const plan = 'a'.repeat(64);
const s = 1000;
const m = 60_000;

export type Script = (log: EventSink, advance: (ms: number) => void) => Promise<void>;

export async function record(
  script: Script,
  overrides: { runId: string; runbook: string; secrets?: string[] },
): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  const sink: AuditSink = { name: 'memory', write: async (rs) => void records.push(...rs) };
  let now = T0;
  const log = createAuditLog({
    runId: overrides.runId,
    runbook: overrides.runbook,
    planHash: plan,
    commit: 'c0ffee1234567890',
    actor: 'ci-bot',
    sinks: [sink],
    masker: new SecretMasker(overrides.secrets ?? []),
    clock: () => new Date(now),
  });
  await script(log, (ms) => void (now += ms));
  await log.close();
  return records;
}

const step = (stepId: string, attempt = 1, uses = 'shell') =>
  ({ stepId, attempt, uses, idempotent: true, sideEffects: true, dryRun: false }) as const;

/**
 * A drill that recovers within its RTO: a phase over budget, an approval refused (the initiator)
 * then granted, a step retried after an injected flaky failure, checklist items, and an RPO
 * probe (`rpoSeconds`, as text: shell steps report outputs so).
 */
export function successfulDrill(probeOutputs: Record<string, string> = { rpoSeconds: '42' }): Promise<AuditRecord[]> {
  return record(
    async (log, advance) => {
      await log.emit('run:start', {
        runbook: 'primary-region-failure',
        title: 'Fail over: the DR region #1',
        planHash: plan,
        initiator: 'alice',
        inputs: { region: 'us-west-2' },
        dryRun: false,
        drill: true,
        objectives: { rtoMs: 30 * m, rpoMs: 5 * m },
        phases: [
          { id: 'assess', budgetMs: 2 * m, steps: ['check-health', 'confirm-outage'] },
          { id: 'failover', budgetMs: 10 * m, steps: ['promote-replica', 'repoint-dns'] },
          { id: 'verify', budgetMs: 5 * m, steps: ['smoke-test', 'measure-rpo'] },
        ],
        faults: { 'promote-replica': 'flaky=1' },
      });
      await log.emit('phase:start', { phaseId: 'assess' });
      await log.emit('step:start', step('check-health', 1, 'http.check'));
      advance(30 * s);
      await log.emit('step:end', { stepId: 'check-health', attempt: 1, status: 'succeeded', durationMs: 30 * s });
      await log.emit('step:start', step('confirm-outage', 1, 'checklist.manual'));
      advance(60 * s);
      await log.emit('checklist:item', {
        stepId: 'confirm-outage',
        text: 'Status page says: major outage',
        confirmedBy: 'bob',
      });
      advance(30 * s);
      await log.emit('checklist:item', {
        stepId: 'confirm-outage',
        text: 'Incident channel opened',
        confirmedBy: 'carol',
      });
      advance(60 * s);
      await log.emit('step:end', { stepId: 'confirm-outage', attempt: 1, status: 'succeeded', durationMs: 150 * s });
      await log.emit('phase:end', { phaseId: 'assess', durationMs: 3 * m, budgetMs: 2 * m });
      await log.emit('phase:start', { phaseId: 'failover' });
      await log.emit('approval:requested', { stepId: 'promote-replica', approvers: ['alice', 'bob'], required: 1 });
      advance(10 * s);
      await log.emit('approval:refused', {
        stepId: 'promote-replica',
        approver: 'alice',
        source: 'local-prompt',
        reason: 'the initiator cannot approve',
      });
      advance(50 * s);
      await log.emit('approval:granted', {
        stepId: 'promote-replica',
        count: 1,
        required: 1,
        approval: {
          approver: 'bob',
          source: 'github-review',
          planHash: plan,
          at: '2025-03-01T10:04:00.000Z',
          reference: 'https://github.com/acme/dr/pull/7',
        },
      });
      await log.emit('step:start', step('promote-replica', 1, 'aws.rds.promote'));
      advance(20 * s);
      await log.emit('step:retry', {
        stepId: 'promote-replica',
        attempt: 1,
        error: 'Throttling: Rate exceeded',
        delayMs: 5 * s,
      });
      advance(5 * s);
      await log.emit('step:start', step('promote-replica', 2, 'aws.rds.promote'));
      advance(3 * m);
      await log.emit('step:end', {
        stepId: 'promote-replica',
        attempt: 2,
        status: 'succeeded',
        durationMs: 3 * m,
        outputs: { endpoint: 'db.dr.example' },
      });
      await log.emit('step:start', step('repoint-dns', 1, 'aws.route53.upsert'));
      advance(95 * s);
      await log.emit('step:end', { stepId: 'repoint-dns', attempt: 1, status: 'succeeded', durationMs: 95 * s });
      await log.emit('phase:end', { phaseId: 'failover', durationMs: 6 * m, budgetMs: 10 * m });
      await log.emit('phase:start', { phaseId: 'verify' });
      await log.emit('step:start', step('smoke-test', 1, 'http.check'));
      advance(40 * s);
      await log.emit('step:end', { stepId: 'smoke-test', attempt: 1, status: 'succeeded', durationMs: 40 * s });
      await log.emit('step:start', step('measure-rpo', 1, 'pg.query'));
      advance(20 * s);
      await log.emit('step:end', {
        stepId: 'measure-rpo',
        attempt: 1,
        status: 'succeeded',
        durationMs: 20 * s,
        outputs: probeOutputs,
      });
      await log.emit('phase:end', { phaseId: 'verify', durationMs: 60 * s, budgetMs: 5 * m });
      await log.emit('run:end', { status: 'succeeded', durationMs: 10 * m, recoveredAtMs: 9 * m });
    },
    { runId: 'drill-2025-03-01', runbook: 'primary-region-failure' },
  );
}

/**
 * A drill whose injected timeout fails the last step: rollback undoes the DNS switch, then stops
 * at the irreversible promotion. The step's error carries a secret the masker must hide.
 */
export function rolledBackDrill(): Promise<AuditRecord[]> {
  return record(
    async (log, advance) => {
      await log.emit('run:start', {
        runbook: 'db-failover',
        title: 'Database failover',
        planHash: plan,
        initiator: 'dave',
        inputs: { token: 's3cr3t-token' },
        dryRun: false,
        drill: true,
        objectives: { rtoMs: 5 * m },
        phases: [{ id: 'failover', budgetMs: 2 * m, steps: ['freeze-writes', 'promote', 'switch-dns', 'warm-cache'] }],
      });
      await log.emit('phase:start', { phaseId: 'failover' });
      for (const id of ['freeze-writes', 'promote', 'switch-dns']) {
        await log.emit('step:start', step(id));
        advance(20 * s);
        await log.emit('step:end', { stepId: id, attempt: 1, status: 'succeeded', durationMs: 20 * s });
      }
      await log.emit('step:start', step('warm-cache'));
      advance(30 * s);
      await log.emit('step:retry', {
        stepId: 'warm-cache',
        attempt: 1,
        error: 'connection refused by cache (token s3cr3t-token)',
        delayMs: 2 * s,
      });
      advance(2 * s);
      await log.emit('step:start', step('warm-cache', 2));
      advance(30 * s);
      await log.emit('step:end', {
        stepId: 'warm-cache',
        attempt: 2,
        status: 'timed-out',
        durationMs: 30 * s,
        error: 'injected fault: timeout after 30s',
      });
      await log.emit('rollback:start', { reason: 'warm-cache timed out', steps: ['switch-dns', 'freeze-writes'] });
      advance(15 * s);
      await log.emit('rollback:step', { stepId: 'switch-dns', status: 'succeeded' });
      await log.emit('rollback:end', { status: 'stopped-at-irreversible', stoppedAt: 'promote' });
      await log.emit('run:end', {
        status: 'rolled-back',
        durationMs: 137 * s,
        error: 'warm-cache: injected fault: timeout after 30s',
      });
    },
    { runId: 'drill-2025-03-02', runbook: 'db-failover', secrets: ['s3cr3t-token'] },
  );
}

/** The drill record the drill runner would write next to the rolled-back drill's report. */
export const rolledBackRecord: DrillRecord = {
  recordVersion: 1,
  runId: 'drill-2025-03-02',
  runbook: 'db-failover',
  graphHash: 'g'.repeat(64),
  planHash: plan,
  startedAt: '2025-03-01T10:00:00.000Z',
  endedAt: '2025-03-01T10:02:17.000Z',
  mode: 'live',
  status: 'rolled-back',
  initiator: 'dave',
  faults: { 'warm-cache': 'timeout' },
  rto: { objectiveMs: 5 * m, met: false },
  rpo: {},
  report: 'drills/reports/drill-2025-03-02.md',
};

/** An ordinary (not drill) run stopped by Ctrl-C while a step was running. */
export function interruptedRun(): Promise<AuditRecord[]> {
  return record(
    async (log, advance) => {
      await log.emit('run:start', {
        runbook: 'restore-backup',
        title: 'Restore: from backup',
        planHash: plan,
        initiator: 'erin',
        inputs: {},
        dryRun: true,
        drill: false,
        objectives: { rtoMs: 60 * m },
        phases: [],
      });
      await log.emit('step:start', step('download: #latest; now'));
      advance(45 * s);
      await log.emit('run:interrupted', { signal: 'SIGINT' });
      await log.emit('run:end', { status: 'interrupted', durationMs: 45 * s });
    },
    { runId: 'run-7', runbook: 'restore-backup' },
  );
}
