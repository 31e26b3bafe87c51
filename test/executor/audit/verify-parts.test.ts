import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../ir/canonical-json.js';
import type { AuditSigVerifier } from '../../../executor/audit/audit-key.js';
import { createFileSink, parseAuditText } from '../../../executor/audit/file-sink.js';
import { hashRecord, type AuditRecord } from '../../../executor/audit/record.js';
import { verifyRecords, type VerifyOptions } from '../../../executor/audit/verify.js';
import { newLog, tempDir } from './helpers.js';

/**
 * verify of a large file read by several threads (verify-parts.ts) must give exactly the result of
 * one thread: the same findings, in the same order, with the same lines and seqs. The worker is
 * compiled code, so this test runs the BUILT modules (dist/, `npm run build` first). Each journal
 * is also checked against the checks on the fully parsed records, as the fast-path tests do.
 * Edits keep each line's length, so the parts are cut at the same lines before and after.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
type Parts = typeof import('../../../executor/audit/verify-parts.js');
type Verify = typeof import('../../../executor/audit/verify.js');
let parts: Parts;
let verify: Verify;

const RECORDS = 60;
const sign = (hash: string) => `sig-of-${hash.slice(0, 8)}`;
const key: AuditSigVerifier = {
  kind: 'test',
  secrets: [],
  check: (hash, sig) => (sig === undefined ? 'unsigned' : sig === sign(hash) ? undefined : 'signature does not match'),
};

let dir: string;
let cleanup: () => void;
let lines: string[];

beforeAll(async () => {
  parts = (await import(pathToFileURL(join(root, 'dist/executor/audit/verify-parts.js')).href)) as Parts;
  verify = (await import(pathToFileURL(join(root, 'dist/executor/audit/verify.js')).href)) as Verify;
  ({ dir, cleanup } = tempDir());
  const path = join(dir, 'audit.jsonl');
  const log = newLog([createFileSink({ path })], { sign });
  for (let i = 0; i < RECORDS / 2; i++) {
    const stepId = `step-${String(i).padStart(2, '0')}`;
    await log.emit('step:start', {
      stepId,
      attempt: 1,
      uses: 'wait',
      idempotent: true,
      sideEffects: false,
      dryRun: false,
    });
    // One record too long for a template (line-template.ts: MAX_TEMPLATE_LINE), near the middle.
    const outputs = i === 14 ? { big: 'x'.repeat(5000) } : {};
    await log.emit('step:end', { stepId, attempt: 1, status: 'succeeded', durationMs: 5, outputs });
  }
  await log.emit('run:end', { status: 'succeeded', durationMs: 100 });
  await log.close();
  lines = readFileSync(path, 'utf8').trimEnd().split('\n');
}, 60_000);
afterAll(() => cleanup());

/** 1-based lines that start a part when `text` is cut in `n` parts. */
function partStarts(text: string, n: number): number[] {
  const cuts = parts.cutPoints(Buffer.from(text), n);
  return cuts.slice(1).map((at) => text.slice(0, at).split('\n').length);
}

let files = 0;
function write(text: string): string {
  const path = join(dir, `j-${files++}.jsonl`);
  writeFileSync(path, text);
  return path;
}

/** Single thread, 2 and 3 threads (each really split), and the full parse: all the same result. */
async function same(text: string, options: VerifyOptions = {}) {
  const path = write(text);
  const one = await parts.readChainFileInParts(path, 1);
  const single = verify.verifyChainFile(one.file, options);
  for (const n of [2, 3]) {
    const split = await parts.readChainFileInParts(write(text), n);
    expect(split.threads).toBe(n);
    const result = verify.verifyChainFile(split.file, options);
    expect(JSON.stringify(result)).toBe(JSON.stringify(single));
    expect(split.file.lines).toEqual(one.file.lines);
    expect(split.file.hashOk).toEqual(one.file.hashOk);
    expect(split.file.problems).toEqual(one.file.problems);
    expect(split.file.lineCount).toBe(one.file.lineCount);
    expect(split.file.links).toEqual(one.file.links);
  }
  const parsed = parseAuditText(text);
  const full = verifyRecords(parsed.records, { ...options, ...parsed });
  expect(single).toEqual(full);
  return single;
}

/** The journal with the record on 1-based line `line` edited (same length), rehashed unless `keepHash`. */
function tamper(line: number, edit: (r: Record<string, unknown>) => void, keepHash = false): string {
  const r = JSON.parse(lines[line - 1]) as Record<string, unknown>;
  edit(r);
  if (!keepHash) r.hash = hashRecord(r as unknown as AuditRecord);
  const edited = canonicalJson(r);
  expect(edited.length).toBe(lines[line - 1].length);
  return lines.map((l, i) => (i === line - 1 ? edited : l)).join('\n') + '\n';
}

const flip = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);

// Generous: each comparison starts 3 worker threads, dozens of times, on a machine that may be busy.
describe('verify of a file read in parts gives the result of one thread', { timeout: 240_000 }, () => {
  it('cuts the clean journal into parts and finds nothing', async () => {
    const text = lines.join('\n') + '\n';
    expect(partStarts(text, 2)).toHaveLength(1);
    expect(partStarts(text, 3)).toHaveLength(2);
    const v = await same(text, { key, requireComplete: true });
    expect(v.ok).toBe(true);
    expect(v.count).toBe(RECORDS + 1);
  });

  // Each part's first line, the line before it, the one after, and a line inside each part.
  const targets = (): number[] => {
    const text = lines.join('\n') + '\n';
    const starts = [...partStarts(text, 2), ...partStarts(text, 3)];
    return [...new Set([2, 20, 45, RECORDS, ...starts.flatMap((s) => [s - 1, s, s + 1])])].sort((a, b) => a - b);
  };

  it('prevHash changed (the first record of a part chains to the last of the part before)', async () => {
    for (const line of targets()) {
      const v = await same(tamper(line, (r) => (r.prevHash = flip(r.prevHash as string))));
      expect(v.firstBad, `line ${line}`).toMatchObject({ kind: 'prev-hash-mismatch', line });
    }
  });

  it('hash changed without rehashing, run id changed, seq duplicated', async () => {
    for (const line of targets()) {
      let v = await same(tamper(line, (r) => (r.hash = flip(r.hash as string)), true));
      expect(v.firstBad, `line ${line}`).toMatchObject({ kind: 'hash-mismatch', line });
      v = await same(tamper(line, (r) => (r.runId = 'run-2')));
      expect(v.firstBad, `line ${line}`).toMatchObject({ kind: 'run-mismatch', line });
      if (String(line - 1).length !== String(line).length) continue;
      v = await same(tamper(line, (r) => (r.seq = line - 1)));
      expect(v.ok, `line ${line}`).toBe(false);
    }
  });

  it('an unparseable line, a blank line and a deleted line at each part start', async () => {
    for (const line of targets()) {
      const garbage = lines.map((l, i) => (i === line - 1 ? '#'.repeat(l.length) : l)).join('\n') + '\n';
      expect((await same(garbage)).firstBad).toMatchObject({ line });
      const blank = lines.map((l, i) => (i === line - 1 ? '' : l)).join('\n') + '\n';
      await same(blank);
      await same(lines.filter((_, i) => i !== line - 1).join('\n') + '\n');
    }
  });

  it('CRLF line ends, a torn last line, a missing final newline, and a signature check', async () => {
    await same(lines.join('\r\n') + '\r\n', { key });
    await same(lines.join('\n') + '\n{"seq":62,"trunc', { requireComplete: true });
    await same(lines.join('\n'), { key });
    const forged = tamper(partStarts(lines.join('\n') + '\n', 2)[0], (r) => (r.sig = 'sig-of-forged!!'));
    expect((await same(forged, { key })).firstBad).toMatchObject({ kind: 'bad-signature' });
  });

  it('a part with characters other than ASCII (decoded as UTF-8 on its own)', async () => {
    for (const line of targets().filter((l) => l % 2 === 1)) {
      const text = tamper(line, (r) => {
        const data = r.data as { stepId: string };
        data.stepId = `é${data.stepId.slice(1)}`;
      });
      // Rehashed, not re-signed: its signature no longer matches (and the next record does not chain to it).
      expect((await same(text, { key })).firstBad).toMatchObject({ kind: 'bad-signature', line });
    }
  });

  it('falls back to one thread, with the same result, when a worker fails', async () => {
    const text = tamper(partStarts(lines.join('\n') + '\n', 2)[0], (r) => (r.prevHash = flip(r.prevHash as string)));
    const path = write(text);
    const single = verify.verifyChainFile((await parts.readChainFileInParts(path, 1)).file, {});
    const broken = await parts.readChainFileInParts(path, 2, pathToFileURL(join(dir, 'no-such-worker.js')));
    expect(broken.threads).toBe(1);
    expect(verify.verifyChainFile(broken.file, {})).toEqual(single);
    expect(single.firstBad).toMatchObject({ kind: 'prev-hash-mismatch' });
  });
});
