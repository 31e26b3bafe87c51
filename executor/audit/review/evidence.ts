import type { ReviewRow } from './review-row.js';
import type { Period } from './run-source.js';

/** What `runbook audit export` writes, in any format: the period, where it was read, the runs. */
export interface EvidencePack {
  readonly period: { readonly since?: string; readonly until?: string };
  readonly source: string;
  readonly generatedAt: string;
  readonly rows: readonly ReviewRow[];
  /** Journals that held no readable record (where they were read). */
  readonly unreadable: readonly string[];
}

export function evidencePack(
  rows: readonly ReviewRow[],
  o: { period: Period; source: string; now: Date; unreadable: readonly string[] },
): EvidencePack {
  return {
    period: {
      ...(o.period.since ? { since: o.period.since.toISOString() } : {}),
      ...(o.period.until ? { until: o.period.until.toISOString() } : {}),
    },
    source: o.source,
    generatedAt: o.now.toISOString(),
    rows,
    unreadable: o.unreadable,
  };
}

/** Counts for the summary: runs, per outcome, runs with anomalies. */
export function packCounts(pack: EvidencePack): { runs: number; anomalous: number; outcomes: Record<string, number> } {
  const outcomes: Record<string, number> = {};
  for (const r of pack.rows) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  return { runs: pack.rows.length, anomalous: pack.rows.filter((r) => r.anomalies.length > 0).length, outcomes };
}

/** One approval in one cell: `granted @dana-lee via github-review at 2026-…Z on promote`. */
export function approvalText(a: ReviewRow['approvals'][number]): string {
  const who = a.approver ?? 'the gate';
  const how = a.authenticity ? `, ${a.authenticity}` : '';
  const why = a.reason ? ` (${a.reason})` : '';
  return `${a.decision} ${who} via ${a.source}${how} at ${a.at} on ${a.stepId}${why}`;
}

export function renderJson(pack: EvidencePack): string {
  return JSON.stringify({ ...pack, counts: packCounts(pack) }, null, 2) + '\n';
}

const CSV_COLUMNS = [
  'run_id',
  'runbook',
  'environment',
  'initiator',
  'started',
  'duration_ms',
  'outcome',
  'status',
  'plan_hash',
  'commit',
  'dry_run',
  'drill',
  'inputs',
  'approvals',
  'rto_objective_ms',
  'rto_measured_ms',
  'rto_met',
  'workflow',
  'anomalies',
] as const;

function csvCells(r: ReviewRow): unknown[] {
  return [
    r.runId,
    r.runbook,
    r.environment ?? '',
    r.initiator,
    r.startedAt,
    r.durationMs,
    r.outcome,
    r.status,
    r.planHash,
    r.commit ?? '',
    r.dryRun,
    r.drill,
    JSON.stringify(r.inputs),
    r.approvals.map(approvalText).join('; '),
    r.rto.objectiveMs ?? '',
    r.rto.measuredMs ?? '',
    r.rto.met ?? '',
    r.origin?.workflow ?? '',
    r.anomalies.map((a) => `${a.kind}: ${a.text}`).join('; '),
  ];
}

/**
 * RFC 4180 CSV (CRLF, fields with a comma, quote or line break quoted, quotes doubled). A cell that
 * a spreadsheet would run as a formula (starting with `=`, `+`, `-`, a tab or CR) gets a leading
 * `'` (OWASP, "CSV Injection"): journal text comes from scripts and comments.
 */
export function renderCsv(pack: EvidencePack): string {
  const cell = (v: unknown): string => {
    let s = String(v);
    if (/^[=+\-\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [CSV_COLUMNS.join(','), ...pack.rows.map((r) => csvCells(r).map(cell).join(','))];
  return lines.join('\r\n') + '\r\n';
}
