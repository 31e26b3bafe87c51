import { personLogin } from '../../../ir/handle.js';
import type { AuditVerification, VerifyOptions } from '../verify.js';
import { reviewRow, type ReviewOutcome, type ReviewRow } from './review-row.js';
import { oneCopyPerRun, type Period, type RunSource } from './run-source.js';

/** `runbook audit list` filters; every one given must match. */
export interface ReviewFilter {
  readonly runbook?: string;
  readonly initiator?: string;
  /** Someone who granted an approval in the run. */
  readonly approver?: string;
  readonly outcome?: ReviewOutcome;
  readonly environment?: string;
}

export interface ReviewedRuns {
  /** Oldest first (by start, then id). */
  readonly rows: ReviewRow[];
  /** Journals with no readable record (where they were read): `audit verify` says why. */
  readonly unreadable: string[];
}

/** The runs of `source` started in `period` that match `filter`, one row per run. */
export async function reviewRuns(source: RunSource, period: Period, filter: ReviewFilter = {}): Promise<ReviewedRuns> {
  const runs = oneCopyPerRun(await source.runs(period));
  const unreadable = runs.filter((r) => r.records.length === 0).map((r) => r.where);
  const rows = runs
    .filter((r) => r.records.length > 0)
    .map((r) => reviewRow(r.records))
    .filter((row) => matches(row, filter))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
  return { rows, unreadable };
}

/** A handle as compared: `@Dana-Lee` and `dana-lee` are one person; anything else as written, case-insensitively. */
function same(a: string, b: string): boolean {
  const la = personLogin(a) ?? a.toLowerCase();
  return la === (personLogin(b) ?? b.toLowerCase());
}

export function matches(row: ReviewRow, f: ReviewFilter): boolean {
  if (f.runbook !== undefined && row.runbook !== f.runbook) return false;
  if (f.initiator !== undefined && !same(row.initiator, f.initiator)) return false;
  if (f.approver !== undefined && !row.approvers.some((a) => same(a, f.approver!))) return false;
  if (f.outcome !== undefined && row.outcome !== f.outcome) return false;
  return f.environment === undefined || row.environment === f.environment;
}

export interface PeriodVerification {
  readonly runId: string;
  readonly where: string;
  readonly verification: AuditVerification;
}

/**
 * Every copy of every run in the period through the existing verifier, one at a time (each
 * database run is its own read), in start order then id. A run without run:end is not a failure
 * here (a period holds parked and running runs); `requireComplete` makes it one.
 */
export async function verifyPeriod(
  source: RunSource,
  period: Period,
  options: VerifyOptions,
): Promise<PeriodVerification[]> {
  const runs = (await source.runs(period)).sort(
    (a, b) =>
      (a.records[0]?.ts ?? '').localeCompare(b.records[0]?.ts ?? '') ||
      a.runId.localeCompare(b.runId) ||
      a.where.localeCompare(b.where),
  );
  const out: PeriodVerification[] = [];
  for (const r of runs) out.push({ runId: r.runId, where: r.where, verification: await r.verify(options) });
  return out;
}
