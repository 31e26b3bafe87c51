import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { DrillRecord } from '../../ir/drill-record.js';
import {
  gatesOf,
  isRecordOf,
  keepLessonsLearned,
  loadGraph,
  renderAuditReport,
  readAuditFile,
  readDbAnchors,
  readAuditRows,
  summarizeAudit,
  renderAuditSummary,
  verifyAudit,
  verifyAuditDb,
  RunRefused,
  type PublishedAnchor,
  type AuditRecord,
  type AuditVerification,
  type ReportGate,
} from '../../executor/facade/audit.js';
import { ExitCode } from '../exit-codes.js';
import { collectAnchors, NoAnchors, verifierOf, type OutsideOptions } from './audit-anchors.js';

/** A run id or a file path → the audit file. */
export function auditPathOf(root: string, ref: string): string {
  if (existsSync(ref)) return ref;
  const byId = join(root, '.runbook', 'runs', ref, 'audit.jsonl');
  if (existsSync(byId)) return byId;
  throw new RunRefused(`no audit log ${ref}`, 'pass a file or a run id from .runbook/runs/');
}

/**
 * `runbook audit verify FILE|RUN` or `--db URL --run ID`: exit 1 naming the first bad record.
 * Strict by default: a log without `run:end`, or with a line that is not a record, fails unless
 * `--allow-incomplete` says the run is still running. `--anchor` compares with a published head,
 * `--anchors-from github|db` with every head the run published there (with `--db`, the heads
 * stored in the database are compared too), and a configured audit key (`--key`,
 * RUNBOOK_AUDIT_PUBKEY, RUNBOOK_AUDIT_KEY) makes every record's signature required.
 */
export async function auditVerifyCommand(
  ref: string | undefined,
  o: { root: string; db?: string; run?: string; allowIncomplete?: boolean; anchor?: string } & OutsideOptions,
): Promise<number> {
  let what: string;
  let records: readonly AuditRecord[];
  let runId: string;
  if (o.db) {
    if (!o.run) throw new RunRefused('--db needs --run RUN_ID');
    [what, runId] = [`run ${o.run} in the audit database`, o.run];
    records = (await readAuditRows(o.db, o.run)).map((r) => r.record);
  } else {
    if (!ref) throw new RunRefused('give an audit file or run id (or --db URL --run ID)');
    what = auditPathOf(o.root, ref);
    records = (await readAuditFile(what)).records;
    runId = records[0]?.runId ?? ref;
  }
  const key = verifierOf(o, process.env);
  let anchors: PublishedAnchor[];
  try {
    anchors = await collectAnchors(records, runId, o, process.env);
    if (o.db && !(o.anchorsFrom ?? '').includes('db')) anchors.push(...(await readDbAnchors(o.db, runId)));
  } catch (e) {
    if (!(e instanceof NoAnchors)) throw e;
    process.stdout.write(`✖ ${what}: ${e.message}\n`);
    return ExitCode.Problems;
  }
  const options = {
    requireComplete: o.allowIncomplete !== true,
    ...(o.anchor !== undefined ? { anchor: parseAnchor(o.anchor) } : {}),
    anchors,
    ...(key ? { key } : {}),
  };
  const v: AuditVerification = o.db ? await verifyAuditDb(o.db, o.run!, options) : await verifyAudit(what, options);
  for (const f of v.findings.filter((x) => !x.fatal)) process.stdout.write(`note: ${f.reason}\n`);
  if (v.ok) {
    const checked = [
      ...(o.anchor ? ['anchor matches'] : []),
      ...(anchors.length
        ? [`${anchors.length} published head${anchors.length > 1 ? 's' : ''} match${anchors.length > 1 ? '' : 'es'}`]
        : []),
      ...(key ? [`every record signed (${key.kind})`] : []),
    ];
    process.stdout.write(
      `✔ ${what}: ${v.count} records, chain intact${v.complete ? ', run complete' : ', run not finished'}${checked.map((c) => `, ${c}`).join('')}${v.tail ? ` · head ${v.tail.seq}:${v.tail.hash}` : ''}\n`,
    );
    return ExitCode.Ok;
  }
  const b = v.firstBad!;
  process.stdout.write(
    `✖ ${what}: ${b.kind} at ${b.line !== undefined ? `line ${b.line}` : `record ${b.seq}`}: ${b.reason}\n`,
  );
  return ExitCode.Problems;
}

/** `runbook audit show RUN|FILE [--json]`: who, what, when, approvals, outcome, timeline. */
export async function auditShowCommand(ref: string, o: { root: string; db?: string; json?: boolean }): Promise<number> {
  const records = o.db
    ? (await readAuditRows(o.db, ref)).map((r) => r.record)
    : (await readAuditFile(auditPathOf(o.root, ref))).records;
  if (records.length === 0) throw new RunRefused(`audit log ${ref} is empty`);
  const summary = summarizeAudit(records);
  process.stdout.write(
    o.json
      ? JSON.stringify(summary, null, 2) + '\n'
      : renderAuditSummary(summary, { color: process.stdout.isTTY === true }) + '\n',
  );
  return ExitCode.Ok;
}

/**
 * `runbook audit report RUN|FILE [--out PATH]`: the run's report page for the wiki (summary against
 * the objectives, Gantt chart, approvals, failures, rollback, checklists, lessons learned). Written
 * next to the run's drill record when there is one, else to drills/reports/<run-id>.md; what
 * people wrote under "Lessons learned" is kept.
 */
export async function auditReportCommand(ref: string, o: { root: string; out?: string }): Promise<number> {
  const { records } = await readAuditFile(auditPathOf(o.root, ref));
  if (records.length === 0) throw new RunRefused(`audit log ${ref} is empty`);
  const runId = records[0].runId;
  const recordFile = [
    join(o.root, 'drills', 'records', `${runId}.json`),
    join(o.root, '.runbook', 'drills', 'records', `${runId}.json`),
  ].find(existsSync);
  const record = recordFile ? (JSON.parse(readFileSync(recordFile, 'utf8')) as DrillRecord) : undefined;
  const out = o.out ?? record?.report ?? join('drills', 'reports', `${runId}.md`);
  // --out is the user's: absolute is used as given. A record's path is repository content (anyone
  // with a PR can write one): it must be relative and stay inside the repository.
  const abs =
    o.out !== undefined && isAbsolute(o.out)
      ? o.out
      : insideRoot(o.root, out, o.out === undefined ? `the drill record of ${runId}` : '--out');
  const gates = gatesOfRun(o.root, records);
  const fresh = renderAuditReport(records, { ...(record ? { record } : {}), ...(gates ? { gates } : {}) });
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, existsSync(abs) ? keepLessonsLearned(readFileSync(abs, 'utf8'), fresh) : fresh);
  process.stdout.write(`report: ${out}\n`);
  return ExitCode.Ok;
}

/**
 * The approval gates of the run's runbook as compiled in this checkout, as `runbook drill` passes
 * them: a dry run's log names no approver (nobody was asked), so its report takes whom a live run
 * would ask from the graph. A runbook no longer compiled here leaves the report to the log alone.
 */
function gatesOfRun(root: string, records: readonly AuditRecord[]): ReportGate[] | undefined {
  const name = records.find(isRecordOf('run:start'))?.data.runbook;
  if (name === undefined) return undefined;
  try {
    return gatesOf(loadGraph(root, name));
  } catch (e) {
    if (e instanceof RunRefused) return undefined;
    throw e;
  }
}

/** `SEQ:HASH` (as `verify` prints the head) or a bare 64-hex HASH (any record). */
function parseAnchor(text: string): { seq?: number; hash: string } {
  const m = /^(?:(\d+):)?([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  if (!m)
    throw new RunRefused(
      `--anchor ${JSON.stringify(text)} is not SEQ:HASH or a 64-hex hash`,
      'copy the head line that audit verify printed or the run published',
    );
  return { ...(m[1] ? { seq: Number(m[1]) } : {}), hash: m[2] };
}

/** `rel` resolved against `root`, refused when it is absolute or climbs out of the repository. */
function insideRoot(root: string, rel: string, from: string): string {
  const base = resolve(root);
  const abs = resolve(base, rel);
  if (isAbsolute(rel) || (abs !== base && !abs.startsWith(base + sep))) {
    throw new RunRefused(
      `${from} names ${JSON.stringify(rel)}, which is outside the repository ${base}`,
      'report paths are relative to the repository root, e.g. drills/reports/<run-id>.md',
    );
  }
  return abs;
}
