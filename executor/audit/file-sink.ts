import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../../ir/canonical-json.js';
import { groupCommit } from './group-commit.js';
import type { AuditRecord, AuditSink } from './record.js';

/** Where a run's audit file lives unless told otherwise. */
export function defaultAuditPath(runId: string, root = '.runbook/runs'): string {
  return join(root, runId, 'audit.jsonl');
}

export interface FileSinkOptions {
  /** The audit file; default `.runbook/runs/<runId>/audit.jsonl`. */
  readonly path?: string;
  readonly runId?: string;
  /** Opens the file; tests wrap the handle to count syncs or inject failures. */
  readonly openFile?: (path: string, flags: string) => Promise<FileHandle>;
}

/** A file sink; `syncs` counts fdatasync calls (one per group commit). */
export interface FileSink extends AuditSink {
  readonly path: string;
  readonly syncs: number;
  /** Waits for queued writes, then closes the file. */
  close(): Promise<void>;
}

/**
 * Appends records as JSON lines, durably: each batch is written and fdatasync'ed before the
 * writers are told; records arriving during a sync are written and synced together next.
 * The file is opened with 'a' (O_APPEND) so nothing already in it can be overwritten.
 */
export function createFileSink(options: FileSinkOptions): FileSink {
  if (!options.path && !options.runId) throw new Error('createFileSink needs a path or a runId');
  const path = options.path ?? defaultAuditPath(options.runId!);
  const openFile = options.openFile ?? ((p: string, f: string) => open(p, f));
  let handle: Promise<FileHandle> | undefined;
  let syncs = 0;

  async function openOnce(): Promise<FileHandle> {
    await mkdir(dirname(path), { recursive: true });
    const fh = await openFile(path, 'a+');
    // A crash may have left a torn last line. Terminate it, so our first record starts on a
    // line of its own instead of being glued to the fragment (verify reports the fragment).
    const { size } = await fh.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await fh.appendFile('\n');
    }
    // The directory entry of a new file must be durable too, or a crash can lose the file.
    await syncDirectory(dirname(path));
    return fh;
  }

  const committer = groupCommit<AuditRecord>(async (records) => {
    handle ??= openOnce();
    const fh = await handle;
    // appendFile loops until every byte is written; one write per batch keeps lines whole.
    // Each line is canonicalJson of the whole record: cut out its hash and sig members and it
    // is the text the hash was computed over, which lets verify hash lines as they are
    // (verify-file.ts) instead of parsing and re-serialising each one.
    await fh.appendFile(records.map((r) => canonicalJson(r) + '\n').join(''));
    syncs++;
    await fh.datasync();
  });

  return {
    name: `file ${path}`,
    path,
    get syncs() {
      return syncs;
    },
    write: (records) => committer.push(records),
    async close() {
      await committer.idle();
      const h = handle;
      handle = undefined;
      if (h) await (await h).close();
    },
  };
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the file sync still holds.
  }
}

/** A line of an audit file that is not a record. */
export interface AuditFileProblem {
  /** 1-based line number. */
  readonly line: number;
  /** `torn-last-line`: the file ends in an incomplete line (a crash during a write). */
  readonly kind: 'torn-last-line' | 'unparseable' | 'not-a-record';
  readonly message: string;
}

/** An audit file as read: the records, the line each came from, and the lines that were not. */
export interface AuditFile {
  readonly records: AuditRecord[];
  /** `lines[i]` is the 1-based line of `records[i]`. */
  readonly lines: number[];
  readonly problems: AuditFileProblem[];
  /** Number of lines in the file (a torn last line counts). */
  readonly lineCount: number;
}

/** Reads an audit file without throwing on damage: bad lines are reported, not fatal. */
export async function readAuditFile(path: string): Promise<AuditFile> {
  return parseAuditText(await readFile(path, 'utf8'));
}

/** Parses audit JSON lines (see readAuditFile). */
export function parseAuditText(text: string): AuditFile {
  const records: AuditRecord[] = [];
  const lines: number[] = [];
  const problems: AuditFileProblem[] = [];
  const parts = text.split('\n');
  // A complete file ends with '\n', so the last part is empty; anything else is torn.
  const torn = parts.pop() ?? '';
  const all = torn === '' ? parts : [...parts, torn];
  all.forEach((raw, i) => {
    const parsed = parseAuditLine(raw, i + 1, torn !== '' && i === all.length - 1);
    if ('problem' in parsed) problems.push(parsed.problem);
    else {
      records.push(parsed.record);
      lines.push(i + 1);
    }
  });
  return { records, lines, problems, lineCount: all.length };
}

/** One line of an audit file: its record, or why it is not one (`torn`: the file's unterminated last line). */
export function parseAuditLine(
  raw: string,
  line: number,
  torn: boolean,
): { readonly record: AuditRecord } | { readonly problem: AuditFileProblem } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    return {
      problem: torn
        ? { line, kind: 'torn-last-line', message: `line ${line} is incomplete (truncated write)` }
        : { line, kind: 'unparseable', message: `line ${line} is not JSON: ${(e as Error).message}` },
    };
  }
  if (!isRecordShape(value))
    return { problem: { line, kind: 'not-a-record', message: `line ${line} is not an audit record` } };
  return { record: value };
}

/** Checks the fields verify relies on, so a damaged record is a finding, not a crash. */
export function isRecordShape(value: unknown): value is AuditRecord {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  return (
    Number.isInteger(r.seq) &&
    typeof r.ts === 'string' &&
    typeof r.runId === 'string' &&
    typeof r.type === 'string' &&
    typeof r.prevHash === 'string' &&
    typeof r.hash === 'string' &&
    'data' in r
  );
}
