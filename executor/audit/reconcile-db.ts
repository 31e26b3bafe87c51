import { RunRefused } from '../core/errors.js';
import { createFileSink, readAuditFile } from './file-sink.js';
import { insertMissing } from './db-sync.js';
import { readAuditRows } from './pg-sink.js';
import { verifyRecords } from './verify.js';

/** What reconcileWithDb changed. */
export interface Reconciled {
  /** Records only the database held, appended to the file journal. */
  readonly appended: number;
  /** Records only the file held, back-filled into the database. */
  readonly backfilled: number;
}

/**
 * Makes the file journal and the audit database whole again before a resume. The audit log
 * writes each record to every sink at once (record.ts), so a kill -9 can land between the two
 * writes:
 * - the database may hold the last records and the file not: they were committed, so a step
 *   whose step:start is only there may have started. Those records, when they continue the
 *   file's chain, are appended to the file, so resume sees the step in doubt instead of running
 *   it again without a decision;
 * - the file may hold records the database lacks (this crash, or an outage never back-filled):
 *   they are back-filled, so the database copy has no gap.
 * A record that differs between the copies, or database records that do not continue the file's
 * chain, refuse the resume: the copies disagree and an operator must look.
 */
export async function reconcileWithDb(path: string, url: string): Promise<Reconciled> {
  const file = await readAuditFile(path);
  const runId = file.records[0]?.runId;
  if (!runId) return { appended: 0, backfilled: 0 };
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
  const rows = await readRows(url, runId);
  const bySeq = new Map(file.records.map((r) => [r.seq, r.hash]));
  for (const row of rows) {
    const hash = bySeq.get(row.seq);
    if (hash !== undefined && hash !== row.hash) {
      throw new RunRefused(
        `record ${row.seq} of run ${runId} differs between the file journal and the audit database`,
        'run `runbook audit verify` on both copies before resuming',
      );
    }
  }
  const last = file.records.at(-1)!.seq;
  const extra = rows.filter((r) => r.seq > last).map((r) => r.record);
  if (extra.length) {
    const all = [...file.records, ...extra];
    const check = verifyRecords(all, { requireComplete: false });
    if (!check.ok) {
      throw new RunRefused(
        `the audit database holds records of run ${runId} after seq ${last} that do not continue the file journal (${check.firstBad?.reason})`,
        'run `runbook audit verify` on both copies before resuming',
      );
    }
    const sink = createFileSink({ path, runId });
    try {
      await sink.write(extra);
    } finally {
      await sink.close?.();
    }
  }
  // The file verified and the database's rows were compared with it above: only insert now.
  const backfilled = await insertMissing(url, file.records, new Map(rows.map((r) => [r.seq, r.hash])));
  return { appended: extra.length, backfilled };
}

/** The database's rows, or a refusal that names no URL (it may hold a password). */
async function readRows(url: string, runId: string) {
  try {
    return await readAuditRows(url, runId);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new RunRefused(
      `the audit database could not be read to reconcile run ${runId} before resuming${code ? ` (${code})` : ''}`,
      'resume when the database is reachable: its copy may hold the last records of the run',
    );
  }
}
