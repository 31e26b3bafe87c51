import { resolve } from 'node:path';
import {
  dirRunSource,
  evidencePack,
  pgRunSource,
  renderAuditPage,
  renderCsv,
  renderJson,
  reviewOutcomes,
  reviewRuns,
  RunRefused,
  type ReviewOutcome,
  type ReviewRow,
  type RunSource,
} from '../../executor/facade/audit-review.js';
import { formatDuration } from '../../ir/duration.js';
import { ExitCode } from '../exit-codes.js';
import { textTable } from '../text-table.js';
import { periodOf, writeAtomically } from './audit-period.js';

/** Where a review reads runs: `--from DIR` (downloaded artifacts), else `--audit-db URL` or RUNBOOK_AUDIT_DB. */
export interface SourceOptions {
  readonly from?: string;
  readonly auditDb?: string;
}

export async function runSourceOf(o: SourceOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunSource> {
  if (o.from !== undefined && o.auditDb !== undefined)
    throw new RunRefused('give --from DIR or --audit-db URL, not both');
  if (o.from !== undefined) return dirRunSource(resolve(o.from));
  const url = o.auditDb ?? env.RUNBOOK_AUDIT_DB;
  if (!url)
    throw new RunRefused(
      'an audit review needs its runs: the audit database or a directory of artifacts',
      'pass --audit-db URL (or set RUNBOOK_AUDIT_DB), or --from DIR holding the downloaded audit artifacts',
    );
  return pgRunSource(url);
}

export interface ListCliOptions extends SourceOptions {
  readonly runbook?: string;
  readonly initiator?: string;
  readonly approver?: string;
  readonly outcome?: string;
  readonly environment?: string;
  readonly since?: string;
  readonly until?: string;
  readonly json?: boolean;
}

/** `runbook audit list`: one row per run started in the period that matches every filter given. */
export async function auditListCommand(o: ListCliOptions): Promise<number> {
  const period = periodOf(o);
  const outcome = outcomeOf(o.outcome);
  const source = await runSourceOf(o);
  const { rows, unreadable } = await reviewRuns(source, period, {
    ...(o.runbook !== undefined ? { runbook: o.runbook } : {}),
    ...(o.initiator !== undefined ? { initiator: o.initiator } : {}),
    ...(o.approver !== undefined ? { approver: o.approver } : {}),
    ...(outcome ? { outcome } : {}),
    ...(o.environment !== undefined ? { environment: o.environment } : {}),
  });
  for (const w of unreadable) process.stderr.write(`note: ${w} holds no readable record (run audit verify)\n`);
  process.stdout.write(o.json ? JSON.stringify(rows, null, 2) + '\n' : listTable(rows));
  return ExitCode.Ok;
}

function outcomeOf(text: string | undefined): ReviewOutcome | undefined {
  if (text === undefined) return undefined;
  if ((reviewOutcomes as readonly string[]).includes(text)) return text as ReviewOutcome;
  throw new RunRefused(`--outcome ${JSON.stringify(text)}: expected one of ${reviewOutcomes.join(', ')}`);
}

function listTable(rows: readonly ReviewRow[]): string {
  if (rows.length === 0) return 'no runs\n';
  return textTable([
    ['RUN', 'RUNBOOK', 'ENVIRONMENT', 'INITIATOR', 'STARTED', 'DURATION', 'OUTCOME', 'APPROVERS'],
    ...rows.map((r) => [
      r.runId,
      r.runbook,
      r.environment ?? '—',
      r.initiator,
      r.startedAt.replace(/\.\d+Z$/, 'Z'),
      formatDuration(r.durationMs),
      r.outcome === r.status ? r.outcome : `${r.outcome} (${r.status})`,
      r.approvers.length ? r.approvers.join(', ') : '—',
    ]),
  ]);
}

export interface ExportCliOptions extends SourceOptions {
  readonly since?: string;
  readonly until?: string;
  readonly format?: string;
  readonly out?: string;
}

const renderers = { csv: renderCsv, json: renderJson, md: renderAuditPage } as const;

/**
 * `runbook audit export`: the evidence pack of the period, one row per run, as CSV, JSON or the
 * wiki page "Audit" (md). Everything is read and rendered before `--out` is written, atomically.
 */
export async function auditExportCommand(o: ExportCliOptions): Promise<number> {
  const format = o.format ?? 'csv';
  if (!(format in renderers)) throw new RunRefused(`--format ${JSON.stringify(format)}: expected csv, json or md`);
  const period = periodOf(o);
  const source = await runSourceOf(o);
  const { rows, unreadable } = await reviewRuns(source, period);
  const pack = evidencePack(rows, { period, source: source.label, now: new Date(), unreadable });
  const text = renderers[format as keyof typeof renderers](pack);
  if (o.out === undefined) process.stdout.write(text);
  else {
    writeAtomically(resolve(o.out), text);
    process.stdout.write(`evidence pack: ${o.out} (${rows.length} run${rows.length === 1 ? '' : 's'})\n`);
  }
  return ExitCode.Ok;
}
