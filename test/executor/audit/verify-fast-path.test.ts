import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../ir/canonical-json.js';
import type { AuditSigVerifier } from '../../../executor/audit/audit-key.js';
import { createFileSink, parseAuditText } from '../../../executor/audit/file-sink.js';
import { hashRecord, type AuditRecord } from '../../../executor/audit/record.js';
import { verifyAudit, verifyRecords, type VerifyOptions } from '../../../executor/audit/verify.js';
import { chainOfBytes } from '../../../executor/audit/verify-file.js';
import { newLog, tempDir } from './helpers.js';

/**
 * verify's template path (verify-file.ts) does not build a record per line: it reads the seq at a
 * known offset, takes the run id and type from the template, records that the line chains to the
 * one before instead of keeping its prevHash, and cuts the sig out of the line. Each test here
 * tampers with one of those members of a record in the middle of a long run of lines of one shape
 * (the lines the template takes), rewritten canonically with a recomputed hash as a writer
 * without the key could, and expects the finding of the full parse, at the same line and seq.
 */

const RECORDS = 40;
/** The tampered record: seq 21, on line 21. */
const AT = 20;

let dir: string;
let cleanup: () => void;
let lines: string[];

const sign = (hash: string) => `sig-of-${hash.slice(0, 8)}`;
const key: AuditSigVerifier = {
  kind: 'test',
  secrets: [],
  check: (hash, sig) => (sig === undefined ? 'unsigned' : sig === sign(hash) ? undefined : 'signature does not match'),
};

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const path = join(dir, 'audit.jsonl');
  const log = newLog([createFileSink({ path })], { sign });
  for (let i = 0; i < RECORDS / 2; i++) {
    const stepId = `step-${i}`;
    await log.emit('step:start', {
      stepId,
      attempt: 1,
      uses: 'wait',
      idempotent: true,
      sideEffects: false,
      dryRun: false,
    });
    await log.emit('step:end', { stepId, attempt: 1, status: 'succeeded', durationMs: 5, outputs: {} });
  }
  await log.close();
  lines = readFileSync(path, 'utf8').trimEnd().split('\n');
});
afterAll(() => cleanup());

/** The journal with record AT changed by `edit`, rehashed (and re-signed if `resign`), written canonically. */
function tampered(edit: (r: Record<string, unknown>) => void, resign = false): string {
  const r = JSON.parse(lines[AT]) as Record<string, unknown>;
  edit(r);
  r.hash = hashRecord(r as unknown as AuditRecord);
  if (resign) r.sig = sign(r.hash as string);
  const path = join(dir, `tampered-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(path, lines.map((l, i) => (i === AT ? canonicalJson(r) : l)).join('\n') + '\n');
  return path;
}

/** verify of the file, which must be the verdict of the checks on the fully parsed records. */
async function verdict(path: string, options: VerifyOptions = {}) {
  const v = await verifyAudit(path, options);
  const parsed = parseAuditText(readFileSync(path, 'utf8'));
  const full = verifyRecords(parsed.records, { ...options, lines: parsed.lines, problems: parsed.problems });
  expect(v).toEqual(full);
  return v;
}

describe('verify fast path: a tampered member of a line the template takes is found', () => {
  it('takes the untouched journal by its templates, and verifies it', async () => {
    const chain = chainOfBytes(readFileSync(join(dir, 'audit.jsonl')));
    expect(chain.links.map((l) => l.seq)).toEqual([...Array(RECORDS).keys()].map((i) => i + 1));
    const v = await verdict(join(dir, 'audit.jsonl'), { key });
    expect(v.findings.filter((f) => f.fatal)).toEqual([]);
  });

  it('prevHash (kept only as "chains to the record before")', async () => {
    const v = await verdict(tampered((r) => (r.prevHash = 'a'.repeat(64))));
    expect(v.firstBad).toMatchObject({ kind: 'prev-hash-mismatch', seq: AT + 1, line: AT + 1 });
  });

  it('seq (read at a fixed offset), to a seq of more digits and to one already used', async () => {
    let v = await verdict(tampered((r) => (r.seq = 123456)));
    expect(v.firstBad).toMatchObject({ kind: 'out-of-order', seq: 123456, line: AT + 1 });
    v = await verdict(tampered((r) => (r.seq = AT)));
    expect(v.firstBad).toMatchObject({ seq: AT, line: AT + 1 });
  });

  it('runId (literal in the template)', async () => {
    const v = await verdict(tampered((r) => (r.runId = 'run-2')));
    expect(v.firstBad).toMatchObject({ kind: 'run-mismatch', seq: AT + 1, line: AT + 1 });
  });

  it('type (literal in the template): a record made a run:end closes the chain', async () => {
    const v = await verdict(tampered((r) => (r.type = 'run:end')));
    expect(v.firstBad).toMatchObject({ kind: 'after-run-end', seq: AT + 2, line: AT + 2 });
  });

  it('sig (cut out of the line): forged, kept on a changed record, and re-signed', async () => {
    let v = await verdict(
      tampered((r) => (r.sig = 'sig-of-forged!')),
      { key },
    );
    expect(v.firstBad).toMatchObject({ kind: 'bad-signature', seq: AT + 1, line: AT + 1 });
    v = await verdict(
      tampered((r) => (r.data = { ...(r.data as object), uses: 'other' })),
      { key },
    );
    expect(v.firstBad).toMatchObject({ kind: 'bad-signature', seq: AT + 1, line: AT + 1 });
    v = await verdict(
      tampered((r) => (r.data = { ...(r.data as object), uses: 'other' }), true),
      { key },
    );
    // Re-signed, record 21 passes its own checks; record 22 no longer chains to it.
    expect(v.firstBad).toMatchObject({ kind: 'prev-hash-mismatch', seq: AT + 2, line: AT + 2 });
  });

  it('hash (compared with the hash of the line), not rehashed', async () => {
    const path = join(dir, 'hash.jsonl');
    const edited = lines[AT].replace(/"hash":"(.)/, (_, c: string) => `"hash":"${c === '0' ? '1' : '0'}`);
    writeFileSync(path, lines.map((l, i) => (i === AT ? edited : l)).join('\n') + '\n');
    const v = await verdict(path);
    expect(v.firstBad).toMatchObject({ kind: 'hash-mismatch', seq: AT + 1, line: AT + 1 });
  });
});
