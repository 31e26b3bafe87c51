import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from '../../../ir/canonical-json.js';
import { lineFields, scanRecordLine } from '../../../executor/audit/canonical-line.js';
import { parseAuditLine, parseAuditText } from '../../../executor/audit/file-sink.js';
import { hashRecord, type AuditRecord } from '../../../executor/audit/record.js';
import { verifyAudit } from '../../../executor/audit/verify.js';
import { chainOfBytes, chainOfText } from '../../../executor/audit/verify-file.js';
import { tempDir, writeSampleJournal } from './helpers.js';

/**
 * verify checks a canonical line's hash on its own bytes (issue 12, verify throughput) and
 * parses every other line as before. These tests pin that the fast path never changes a
 * verdict: it may only agree with the full parse.
 */

let dir: string;
let cleanup: () => void;
let path: string;
let lines: string[];

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'run-1', 'audit.jsonl');
  // Values of every kind canonicalJson orders and escapes, then a whole run.
  lines = await writeSampleJournal(path);
});
afterEach(() => cleanup());

const rewrite = (ls: string[]) => writeFileSync(path, ls.map((l) => l + '\n').join(''));

/** The verdict of the former code on one line: its problem, or whether its hash matches its content. */
function fullParseVerdict(line: string): string {
  const parsed = parseAuditLine(line, 1, false);
  if ('problem' in parsed) return parsed.problem.kind;
  return hashRecord(parsed.record) === parsed.record.hash ? 'ok' : 'hash-mismatch';
}

/** The verdict of verify's reading of the line, written to a file as UTF-8 (a lone surrogate cannot be). */
function chainVerdict(line: string): string {
  const file = chainOfBytes(Buffer.from(line + '\n'));
  if (file.problems.length > 0) return file.problems[0].kind;
  return file.hashOk[0] ? 'ok' : 'hash-mismatch';
}

/** What a writer without the key can do: set the hash to sha256 of the line's own bytes, hash and sig cut out. */
function rawRehash(line: string): string {
  const f = lineFields();
  const withZeroHash = line.replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${'0'.repeat(64)}"`);
  if (!scanRecordLine(withZeroHash, 0, withZeroHash.length, f)) {
    const cut = withZeroHash.replace(/,"hash":"0{64}"/, '').replace(/,"sig":"[^"]*"/, '');
    return withZeroHash.replace('0'.repeat(64), sha256(cut));
  }
  const sigCut = f.sigFrom < 0 ? '' : withZeroHash.slice(f.sigFrom, f.sigTo);
  const cut = withZeroHash.slice(0, f.hashFrom) + withZeroHash.slice(f.hashTo).replace(sigCut, '');
  return withZeroHash.replace('0'.repeat(64), sha256(cut));
}

describe('canonical audit lines', () => {
  it('the file sink writes each record as canonicalJson of the whole record', () => {
    expect(lines).toHaveLength(14);
    for (const line of lines) expect(line).toBe(canonicalJson(JSON.parse(line)));
  });

  it('the fast path takes every line the sink writes (so verify does not re-serialise them)', () => {
    const f = lineFields();
    for (const line of lines) expect(scanRecordLine(line, 0, line.length, f)).toBe(true);
    const file = chainOfText(lines.join('\n') + '\n');
    expect(file.hashOk.every(Boolean)).toBe(true);
    expect(file.links.map((l) => l.seq)).toEqual([...Array(14).keys()].map((i) => i + 1));
    expect(file.links[3].sig).toBe(JSON.parse(lines[3]).sig);
  });

  it('a non-canonical journal (keys in another order, whitespace) verifies through the full parse', async () => {
    const reordered = lines.map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      const reversed = Object.fromEntries(Object.entries(r).reverse());
      return ` ${JSON.stringify(reversed, null, 0).replace('{', '{ ')} `;
    });
    const f = lineFields();
    for (const line of reordered) expect(scanRecordLine(line, 0, line.length, f)).toBe(false);
    rewrite(reordered);
    const v = await verifyAudit(path);
    expect(v).toMatchObject({ ok: true, count: 14, complete: true, findings: [] });
    expect(v.tail).toEqual({ seq: 14, hash: JSON.parse(lines[13]).hash });
  });

  // The hash commits to the record's content, not to its bytes: bytes that parse to the same
  // record (an escape where a plain character was, keys moved) verify, as they always did,
  // because every reader (resume, summary, report) sees exactly the record that was hashed.
  it('a canonical line rewritten into other bytes of the same record still verifies (ok, as before)', async () => {
    const line = lines[3];
    const escaped = line.replace('"actor":"alice"', '"actor":"\\u0061lice"');
    expect(escaped).not.toBe(line);
    expect(JSON.parse(escaped)).toEqual(JSON.parse(line));
    expect(chainVerdict(escaped)).toBe('ok');
    rewrite(lines.map((l, i) => (i === 3 ? escaped : l)));
    const v = await verifyAudit(path);
    expect(v.ok).toBe(true);
    expect(v.findings.filter((x) => x.fatal)).toEqual([]);
  });

  it('a line whose hash is of its own non-canonical bytes is a hash mismatch, as before', async () => {
    const r = JSON.parse(lines[4]) as AuditRecord;
    // Keys out of order in data, and the hash of exactly these bytes (hash and sig cut out).
    const forged = rawRehash(JSON.stringify({ ...r, data: { ...r.data, zzz: 1, aaa: 2 } }));
    expect(fullParseVerdict(forged)).toBe('hash-mismatch');
    expect(chainVerdict(forged)).toBe('hash-mismatch');
    rewrite(lines.map((l, i) => (i === 4 ? forged : l)));
    expect((await verifyAudit(path)).firstBad).toMatchObject({ kind: 'hash-mismatch', seq: 5, line: 5 });
  });

  it('gives the verdict of the full parse for every one-character edit of every line, hash kept or recomputed', () => {
    const edits = ['', ' ', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '1', 'a', '-', '.', 'e', 'u', '\u0000', 'é'];
    let checked = 0;
    for (const line of lines) {
      for (let at = 0; at < line.length; at += 7) {
        for (const edit of edits) {
          const variant = line.slice(0, at) + edit + line.slice(at + 1);
          for (const v of [variant, rawRehash(variant)]) {
            const asRead = Buffer.from(v).toString('utf8');
            expect(chainVerdict(v), asRead).toBe(fullParseVerdict(asRead));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(25_000);
  });

  // The fast path skips re-scanning what the line before already had (the hash it chains to,
  // the run id, the plan hash...): an edit of one line of a whole file is judged as by the full parse.
  it('gives the verdicts of the full parse, line by line, when one line of the file is edited', () => {
    const edits = ['', '"', '\\', '0', 'f', 'x', '\u0000'];
    let checked = 0;
    for (let i = 1; i < lines.length; i += 2) {
      for (let at = 0; at < lines[i].length; at += 11) {
        for (const edit of edits) {
          const variant = lines[i].slice(0, at) + edit + lines[i].slice(at + 1);
          const text = lines.map((l, k) => (k === i ? rawRehash(variant) : l)).join('\n') + '\n';
          const chain = chainOfBytes(Buffer.from(text));
          const full = parseAuditText(Buffer.from(text).toString('utf8'));
          expect(chain.problems).toEqual(full.problems);
          expect(chain.lines).toEqual(full.lines);
          expect(chain.hashOk).toEqual(full.records.map((r) => hashRecord(r) === r.hash));
          expect(chain.links.map((l) => [l.seq, l.runId, l.type, l.prevHash, l.hash, l.sig])).toEqual(
            full.records.map((r) => [r.seq, r.runId, r.type, r.prevHash, r.hash, r.sig]),
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1_500);
  });
});
