import { existsSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RunRefused } from '../core/errors.js';
import { createFileSink, readAuditFile, type AuditFile } from './file-sink.js';
import { insertMissing } from './db-sync.js';
import { readAuditRows, type AuditRow } from './pg-sink.js';
import type { AuditRecord } from './record.js';
import { verifyAuditDb, verifyRecords } from './verify.js';

/** What reconcileWithDb changed in the local copy (the file journal) or the database. */
export interface Reconciled {
  /** Records only the database held, written to the file. */
  readonly appended: number;
  /** Records only the file held (never committed to the database, so their effect never ran), dropped from it. */
  readonly dropped: number;
  /** Records the file held differently at the same seq, replaced by the database's. */
  readonly replaced: number;
  /** A run the database never held (journaled without one): records back-filled into it. */
  readonly backfilled: number;
}

const none: Reconciled = { appended: 0, dropped: 0, replaced: 0, backfilled: 0 };

/**
 * Makes the file journal agree with the audit database before a resume. With a database the run
 * commits every record there before `emit` resolves (db-journal-sink.ts), so the database is the
 * journal of record and the file a local copy, which may be missing (resume on another machine),
 * behind (the database committed a record the file had not synced when the runner died: a
 * `step:start` there means the step may have begun, so resume sees it in doubt), or ahead (a
 * record written to the file but never committed: `emit` never resolved, so its effect never
 * ran). The database wins: the file is rewritten from its rows, and the difference is counted.
 * The database's chain is verified first; one that does not verify refuses the resume.
 * A run the database has no rows of was journaled without it: its verified file is back-filled.
 */
export async function reconcileWithDb(path: string, url: string, runId: string): Promise<Reconciled> {
  const rows = await readRows(url, runId);
  const file = existsSync(path) ? await readAuditFile(path) : undefined;
  if (rows.length === 0) return file ? { ...none, backfilled: await backfill(file, url, runId) } : none;
  await verifyDbCopy(url, runId);
  const diff = compare(rows, file);
  if (diff.appended || diff.dropped || diff.replaced || (file?.problems.length ?? 0) > 0)
    await rewrite(path, runId, diff.records);
  return { appended: diff.appended, dropped: diff.dropped, replaced: diff.replaced, backfilled: 0 };
}

/** The records the file must hold (the database's, the file's own line kept where equal), and the counts. */
function compare(rows: readonly AuditRow[], file: AuditFile | undefined) {
  const fileBySeq = new Map((file?.records ?? []).map((r) => [r.seq, r]));
  const dbSeqs = new Set(rows.map((r) => r.seq));
  let appended = 0;
  let replaced = 0;
  const records = rows.map((row): AuditRecord => {
    const own = fileBySeq.get(row.seq);
    if (own?.hash === row.hash) return own;
    if (own) replaced++;
    else appended++;
    return row.record;
  });
  const dropped = [...fileBySeq.keys()].filter((seq) => !dbSeqs.has(seq)).length;
  return { records, appended, dropped, replaced };
}

async function verifyDbCopy(url: string, runId: string): Promise<void> {
  const v = await verifyAuditDb(url, runId);
  if (!v.ok)
    throw new RunRefused(
      `the audit database's copy of run ${runId} does not verify: ${v.firstBad?.reason}; nothing was resumed`,
      'a tampered journal cannot be resumed; investigate with `runbook audit verify --db URL --run RUN_ID`',
    );
}

/** Replaces the file with `records`: written and synced beside it, then renamed over it (never half-written). */
async function rewrite(path: string, runId: string, records: readonly AuditRecord[]): Promise<void> {
  const tmp = `${path}.reconcile.tmp`;
  await rm(tmp, { force: true });
  const sink = createFileSink({ path: tmp, runId });
  try {
    for (let i = 0; i < records.length; i += 500) await sink.write(records.slice(i, i + 500));
  } finally {
    await sink.close();
  }
  await rename(tmp, path);
  // The rename must be durable too, or a crash could bring the old copy back.
  const dir = await open(dirname(path), 'r');
  await dir.sync().finally(() => dir.close());
}

/** A run journaled without a database: its file, verified, is copied in. */
async function backfill(file: AuditFile, url: string, runId: string): Promise<number> {
  if (file.records.length === 0) return 0;
  // A damaged journal is never copied into the tamper-resistant store.
  const own = verifyRecords(file.records, {
    lines: file.lines,
    problems: file.problems,
    lineCount: file.lineCount,
    requireComplete: false,
  });
  if (!own.ok)
    throw new RunRefused(
      `the audit log of ${runId} does not verify: ${own.firstBad?.reason}; nothing was copied`,
      'a tampered journal cannot be resumed; investigate with `runbook audit verify`',
    );
  return insertMissing(url, file.records, new Map());
}

/** The database's rows, or a refusal that names no URL (it may hold a password). */
async function readRows(url: string, runId: string): Promise<AuditRow[]> {
  try {
    return await readAuditRows(url, runId);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new RunRefused(
      `the audit database could not be read to resume run ${runId}${code ? ` (${code})` : ''}`,
      'resume when the database is reachable: it is the journal of record of the run',
    );
  }
}
