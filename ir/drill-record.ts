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
