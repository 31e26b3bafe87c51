import type { AuditRecord } from '../../../executor/audit/record.js';
import type { DrillRecord } from '../../../ir/drill-record.js';
import { record } from './scenarios.js';

/**
 * Runs that take milliseconds against objectives of minutes, as `runbook demo` and dry runs do:
 * the case where an axis fitted to the RTO left every bar 0 px wide.
 */

const plan = 'a'.repeat(64);
const m = 60_000;
const step = (stepId: string, uses: string, dryRun: boolean) =>
  ({ stepId, attempt: 1, uses, idempotent: true, sideEffects: true, dryRun }) as const;

/** The loopback demo's shape: a live drill of 282 ms against a 20-minute RTO, on environment local (demo). */
export function fastDemoDrill(): Promise<AuditRecord[]> {
  return record(
    async (log, advance) => {
      await log.emit('run:start', {
        runbook: 'postgres-streaming-failover',
        title: 'PostgreSQL streaming failover',
        planHash: plan,
        initiator: '@drill-operator',
        inputs: {},
        dryRun: false,
        drill: true,
        objectives: { rtoMs: 20 * m, rpoMs: 5 * m },
        phases: [
          { id: 'check', budgetMs: 5 * m, steps: ['check-standby', 'replica-lag'] },
          { id: 'promote', budgetMs: 10 * m, steps: ['approve', 'promote', 'verify'] },
        ],
        environment: { name: 'local', source: 'demo' },
      });
      const ran: [string, string, number][] = [
        ['check-standby', 'pg.query', 12],
        ['replica-lag', 'postgres.replication-lag', 31],
        ['approve', 'approval', 0],
        ['promote', 'postgres.promote', 201],
        ['verify', 'pg.query', 38],
      ];
      for (const [id, uses, ms] of ran) {
        await log.emit('step:start', step(id, uses, false));
        advance(ms);
        await log.emit('step:end', { stepId: id, attempt: 1, status: 'succeeded', durationMs: ms });
      }
      await log.emit('run:end', { status: 'succeeded', durationMs: 282, recoveredAtMs: 244 });
    },
    { runId: 'demo-282ms', runbook: 'postgres-streaming-failover' },
  );
}

/** A dry-run drill through a two-person gate: nobody is asked, nothing is measured. */
export function dryRunThroughGate(): Promise<AuditRecord[]> {
  return record(
    async (log, advance) => {
      await log.emit('run:start', {
        runbook: 'primary-region-failure',
        title: 'Complete primary region failure',
        planHash: plan,
        initiator: 'alice',
        inputs: {},
        dryRun: true,
        drill: true,
        objectives: { rtoMs: 60 * m, rpoMs: 15 * m },
        phases: [{ id: 'assess', budgetMs: 15 * m, steps: ['check-health', 'declare', 'promote-db'] }],
        environment: { name: 'production-failover', source: 'runbook' },
      });
      for (const [id, uses] of [
        ['check-health', 'http.check'],
        ['declare', 'approval'],
        ['promote-db', 'aws.rds.promote'],
      ]) {
        await log.emit('step:start', step(id, uses, true));
        advance(3);
        await log.emit('step:end', { stepId: id, attempt: 1, status: 'succeeded', durationMs: 3 });
      }
      // A dry run's run:end has a recovery point too: the scheduler does not know it was planning.
      await log.emit('run:end', { status: 'succeeded', durationMs: 9, recoveredAtMs: 9 });
    },
    { runId: 'dry-run-gate', runbook: 'primary-region-failure' },
  );
}

/** The gates of the dry run's runbook, as gatesOf(graph) gives them. */
export const failoverGates = [
  { stepId: 'declare', approvers: ['@acme/sre', '@acme/executive'], required: 2, selfApproval: false },
  { stepId: 'never-reached', approvers: ['@acme/dba'], required: 1, selfApproval: false },
];

/** The drill record `runbook drill --dry-run` writes for it. */
export const dryRunRecord: DrillRecord = {
  recordVersion: 1,
  runId: 'dry-run-gate',
  runbook: 'primary-region-failure',
  graphHash: plan,
  planHash: plan,
  startedAt: '2025-03-01T10:00:00.000Z',
  endedAt: '2025-03-01T10:00:00.009Z',
  mode: 'dry-run',
  status: 'succeeded',
  initiator: 'alice',
  faults: {},
  rto: { objectiveMs: 60 * m, measuredMs: 9, met: true },
  rpo: { objectiveMs: 15 * m },
  report: 'drills/reports/dry-run-gate.md',
  environment: { name: 'production-failover', source: 'runbook' },
};
