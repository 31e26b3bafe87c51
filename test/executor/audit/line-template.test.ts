import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../../ir/canonical-json.js';
import { lineFields, scanRecordLine } from '../../../executor/audit/canonical-line.js';
import { createFileSink, parseAuditText } from '../../../executor/audit/file-sink.js';
import { matchTemplate, templateOf } from '../../../executor/audit/line-template.js';
import { hashRecord } from '../../../executor/audit/record.js';
import { chainOfBytes } from '../../../executor/audit/verify-file.js';
import { newLog, tempDir, writeSampleJournal } from './helpers.js';

/**
 * verify proves a line canonical by a template of a line of the same shape proved before
 * (line-template.ts). These tests pin that a line a template accepts gets exactly the verdict
 * and the fields of the full parse, whatever edit it carries: each edited line follows the
 * original, so the original's template is tried on it first.
 */

let lines: string[];
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  const path = join(t.dir, 'run-1', 'audit.jsonl');
  lines = await writeSampleJournal(path);
});
afterAll(() => cleanup());

/** What a writer without the key can do: set the hash to sha256 of the line's bytes, hash and sig cut out. */
function rawRehash(line: string): string {
  const f = lineFields();
  const zero = line.replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${'0'.repeat(64)}"`);
  const cut = scanRecordLine(zero, 0, zero.length, f)
    ? zero.slice(0, f.hashFrom) + zero.slice(f.hashTo).replace(f.sigFrom < 0 ? '' : zero.slice(f.sigFrom, f.sigTo), '')
    : zero.replace(/,"hash":"0{64}"/, '').replace(/,"sig":"[^"]*"/, '');
  return zero.replace('0'.repeat(64), sha256(cut));
}

/** verify's reading of `text` against the full parse's, record by record. */
function expectSameAsFullParse(text: string): void {
  const chain = chainOfBytes(Buffer.from(text));
  const full = parseAuditText(Buffer.from(text).toString('utf8'));
  expect(chain.problems).toEqual(full.problems);
  expect(chain.lines).toEqual(full.lines);
  expect(chain.hashOk).toEqual(full.records.map((r) => hashRecord(r) === r.hash));
  expect(chain.links.map((l) => [l.seq, l.runId, l.type, l.prevHash, l.hash, l.sig])).toEqual(
    full.records.map((r) => [r.seq, r.runId, r.type, r.prevHash, r.hash, r.sig]),
  );
}

describe('audit line templates', () => {
  it("a line's template matches it and lines of its shape, not lines of another shape", () => {
    for (const line of lines) {
      const t = templateOf(line)!;
      const r = JSON.parse(line) as { runId: string; type: string };
      expect(matchTemplate(t, line, 0)).toBe(line.indexOf(',"hash":"') + 9);
      expect(t.tail.lastIndex).toBe(line.length);
      expect([t.runId, t.type]).toEqual([r.runId, r.type]);
    }
    const start = templateOf(lines.find((l) => l.includes('"type":"step:start"'))!)!;
    const end = lines.find((l) => l.includes('"type":"step:end"'))!;
    expect(matchTemplate(start, end, 0)).toBe(-1);
  });

  // A run:start lists every step: a RegExp of its shape would overflow the engine's stack.
  it('reads lines too long for a template (thousands of members) by the scanner, as the full parse does', async () => {
    const { dir, cleanup: done } = tempDir();
    try {
      const path = join(dir, 'audit.jsonl');
      const log = newLog([createFileSink({ path })]);
      const steps = Array.from({ length: 5000 }, (_, i) => `step-${i}`);
      for (let i = 0; i < 3; i++) await log.emit('run:resume', { by: 'x', completed: steps, inDoubt: [] });
      await log.close();
      const text = readFileSync(path, 'utf8');
      expect(templateOf(text.split('\n')[0])).toBeUndefined();
      expectSameAsFullParse(text);
      expect(chainOfBytes(Buffer.from(text)).hashOk).toEqual([true, true, true]);
    } finally {
      done();
    }
  });

  it('gives the verdicts and fields of the full parse when a line follows one of its shape, edited anywhere', () => {
    const edits = ['', ' ', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '1', '9', 'a', 'F', '-', '.', 'e', 'u'];
    const more = ['\u0000', '\u001f', '\n', 'é', '\ud800', '😀', '\\u0041', '\\n', '\\/', '-0', '1.0', '1e5'];
    let checked = 0;
    for (const line of lines) {
      for (let at = 0; at < line.length; at += 7) {
        for (const edit of [...edits, ...more]) {
          const variant = line.slice(0, at) + edit + line.slice(at + 1);
          for (const v of [variant, rawRehash(variant)]) {
            expectSameAsFullParse(`${line}\n${v}\n`);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(35_000);
    // CPU-bound (35,000+ full parses, no waiting): 30-45 s on a loaded 2-core machine, up to 107 s
    // with a CPU hog beside it, so it gets a budget of its own instead of vitest's 30 s.
  }, 300_000);
});
