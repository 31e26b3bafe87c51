import { readFileSync, writeFileSync } from 'node:fs';
import { GENESIS_HASH, hashRecord, type AuditRecord } from '../../executor/audit/record.js';

/**
 * What a writer holding the journal file can do without any key: read its records, change them,
 * recompute every hash, and write a new file. The audit tests forge logs with these to show what
 * the chain alone cannot detect, and what anchors and signatures do.
 */

/** The records of a JSON-lines audit log. */
export function readRecords(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditRecord);
}

/** Writes records as a JSON-lines log at `path`; returns the path. */
export function writeRecords(path: string, rs: readonly object[]): string {
  writeFileSync(path, rs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

/** The records with every prevHash and hash recomputed, in order (signatures, if any, kept as they were). */
export function rechain(rs: readonly AuditRecord[]): AuditRecord[] {
  let prevHash = GENESIS_HASH;
  return rs.map((r) => {
    const { hash: _old, ...rest } = { ...r, prevHash };
    const hash = hashRecord(rest);
    prevHash = hash;
    return { ...rest, hash } as AuditRecord;
  });
}
