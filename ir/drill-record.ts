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
  readonly status: 'succeeded' | 'failed' | 'rolled-back' | 'interrupted' | 'refused';
  readonly initiator: string;
  /** Injected faults, step id → fault (`fail`, `timeout`, `slow=30s`, `flaky=2`). */
  readonly faults: Record<string, string>;
  readonly rto: { readonly objectiveMs?: number; readonly measuredMs?: number; readonly met?: boolean };
  /** Measured from a step output named `rpoSeconds` (the runbook's RPO probe), when there is one. */
  readonly rpo: { readonly objectiveMs?: number; readonly measuredMs?: number; readonly met?: boolean; readonly probe?: string };
  /** Path of the report, relative to the repository root. */
  readonly report: string;
}

export const drillRecordsDir = 'drills/records';
export const drillReportsDir = 'drills/reports';
