/**
 * What a finished drill leaves in the repository: `drills/records/<run-id>.json`, next to its
 * report `drills/reports/<run-id>.md`. The compiler reads records for freshness warnings and the
 * wiki's "last drilled" and history table; the executor writes them (`runbook drill`).
 */
export interface DrillRecord {
  readonly recordVersion: 1;
  readonly runId: string;
  readonly runbook: string;
  /** The graph's plan hash at the time: a changed runbook no longer counts as drilled. */
  readonly graphHash: string;
  readonly planHash: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** `dry-run` drills walk the graph without effects; `live` drills act on drill targets. */
  readonly mode: 'live' | 'dry-run';
  readonly status: 'succeeded' | 'failed' | 'rolled-back' | 'rollback-incomplete' | 'interrupted' | 'refused';
  readonly initiator: string;
  /** Injected faults, step id → fault (`fail`, `timeout`, `slow=30s`, `flaky=2`). */
  readonly faults: Record<string, string>;
  readonly rto: { readonly objectiveMs?: number; readonly measuredMs?: number; readonly met?: boolean };
  /**
   * Measured from a step output named `rpoSeconds` (the runbook's RPO probe), when there is one;
   * `source` from the same step's `rpoSource` output (`standby`: an estimate, see rpoIsEstimate).
   */
  readonly rpo: {
    readonly objectiveMs?: number;
    readonly measuredMs?: number;
    readonly met?: boolean;
    readonly probe?: string;
    readonly source?: string;
  };
  /** Path of the report, relative to the repository root. */
  readonly report: string;
  /**
   * Where the drill acted (run:start's `environment`): only drills of an environment some runbook
   * declares count for freshness (`drillCountsFor`). Absent in records written before it was kept.
   */
  readonly environment?: DrillEnvironment;
}

/** A run's target environment and where its name came from (see run:start in executor/core/events.ts). */
export interface DrillEnvironment {
  readonly name?: string;
  readonly source: 'cli' | 'runbook' | 'demo' | 'none';
}

/** `production-drill (the runbook's)`, `local (loopback demo)`, `not recorded`: one wording for every view. */
export function environmentText(env: DrillEnvironment | undefined): string {
  if (!env) return 'not recorded';
  if (!env.name) return 'none named (the runbook declares no environment)';
  const from = { cli: 'given with --environment', runbook: "the runbook's", demo: 'loopback demo', none: '' }[
    env.source
  ];
  return from ? `${env.name} (${from})` : env.name;
}

export const drillRecordsDir = 'drills/records';
export const drillReportsDir = 'drills/reports';

/**
 * Whether an RPO probe's `rpoSource` marks its figure as an estimate: `standby` is what
 * postgres.replication-lag reports when it could not compare with the primary, so commits the
 * standby never received are not counted.
 */
export function rpoIsEstimate(source: string | undefined): boolean {
  return source === 'standby';
}

/**
 * What every view (report, drill record summary, wiki pages, Home) says of a dry run's RTO and
 * RPO: a dry run calls each action's plan instead of its effect, so nothing was recovered and
 * its timings say nothing about recovery. One wording, so no page says "missed" where another
 * says "not measured".
 */
export const dryRunNotMeasured = 'not measured (dry run)';
