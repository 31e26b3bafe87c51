import type { AuditRecord } from '../record.js';
import type { AuditVerification, VerifyOptions } from '../verify.js';

/**
 * Where an audit review reads runs from (`runbook audit list|verify|export`): the PostgreSQL store
 * (pg-run-source.ts) or a directory of downloaded artifacts (dir-run-source.ts). Both give the
 * same thing: each run's records, and its verification by the existing verifier on the copy the
 * source holds.
 */
export interface RunSource {
  /** What the source is, for messages: `the audit database at …`, `artifacts in DIR`. */
  readonly label: string;
  /** Every run (every copy of it, for a directory) whose first record falls in the period. */
  runs(period: Period): Promise<SourcedRun[]>;
}

/** Start times: `since` inclusive, `until` exclusive. Either may be open. */
export interface Period {
  readonly since?: Date;
  readonly until?: Date;
}

export interface SourcedRun {
  readonly runId: string;
  /** Where this copy was read: a journal file, or the audit database. */
  readonly where: string;
  /** Its records as read (none when the journal holds no readable record). */
  readonly records: readonly AuditRecord[];
  /** The existing chain verifier (verify.ts) on this copy. */
  verify(options: VerifyOptions): Promise<AuditVerification>;
}

/** Whether a run that started at `ts` (ISO 8601) is in the period. */
export function inPeriod(ts: string | undefined, period: Period): boolean {
  if (ts === undefined) return period.since === undefined && period.until === undefined;
  const t = Date.parse(ts);
  if (period.since && t < period.since.getTime()) return false;
  return !(period.until && t >= period.until.getTime());
}

/**
 * One copy per run for the listings: a run resumed on another runner can be in two artifacts (each
 * runner uploads its journal). The copy with the most records wins: it has what the others have
 * (a resume rewrites the file from the journal of record first) and more. `audit verify` checks
 * every copy instead.
 */
export function oneCopyPerRun(runs: readonly SourcedRun[]): SourcedRun[] {
  const best = new Map<string, SourcedRun>();
  for (const r of runs) {
    const held = best.get(r.runId);
    if (!held || r.records.length > held.records.length) best.set(r.runId, r);
  }
  return [...best.values()];
}
