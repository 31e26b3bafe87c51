import { RunRefused } from '../core/errors.js';
import { readAuditFile } from './file-sink.js';
import { createPgSink, readAuditRows } from './pg-sink.js';
import type { AuditRecord } from './record.js';
import { verifyRecords } from './verify.js';

/** What `runbook audit sync` did. */
export interface SyncResult {
  readonly runId: string;
  /** Records in the file journal. */
  readonly records: number;
  /** Records already in the database (same hash). */
  readonly present: number;
  /** Records back-filled now. */
  readonly inserted: number;
}

/**
 * Back-fills a run's rows from its file journal (a run journaled without the audit database). The
 * file must verify first (a damaged journal is not copied into the tamper-resistant store);
 * rows already there are kept, and one that differs from the file's record is refused by the
 * sink's hash comparison, since it means the two copies disagree.
 */
export async function syncAuditDb(path: string, url: string): Promise<SyncResult> {
  const file = await readAuditFile(path);
  if (file.records.length === 0) throw new RunRefused(`audit log ${path} has no records`);
  const v = verifyRecords(file.records, {
    lines: file.lines,
    problems: file.problems,
    lineCount: file.lineCount,
    requireComplete: false,
  });
  if (!v.ok)
    throw new RunRefused(
      `audit log ${path} does not verify (${v.firstBad!.reason}); nothing was copied`,
      'run `runbook audit verify` on it',
    );
  const runId = file.records[0].runId;
  const stored = new Map((await readAuditRows(url, runId)).map((r) => [r.seq, r.hash]));
  for (const r of file.records) {
    const h = stored.get(r.seq);
    if (h !== undefined && h !== r.hash)
      throw new RunRefused(
        `record ${r.seq} of run ${runId} differs between the file and the audit database; nothing was copied`,
        'run `runbook audit verify` on both copies',
      );
  }
  const inserted = await insertMissing(url, file.records, stored);
  return { runId, records: file.records.length, present: file.records.length - inserted, inserted };
}

/**
 * Inserts the records whose seq the database does not hold (`stored`: seq → hash, already
 * compared with the records by the caller), in batches; returns how many.
 */
export async function insertMissing(
  url: string,
  records: readonly AuditRecord[],
  stored: ReadonlyMap<number, string>,
): Promise<number> {
  const missing = records.filter((r) => !stored.has(r.seq));
  if (missing.length === 0) return 0;
  const sink = createPgSink({ url });
  try {
    for (let i = 0; i < missing.length; i += 500) await sink.write(missing.slice(i, i + 500));
  } finally {
    await sink.close();
  }
  return missing.length;
}
