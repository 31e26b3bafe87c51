import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEntryFile, writeEntryFile } from '../../compiler/cache/entry-file.js';
import type { CacheEntry } from '../../compiler/cache/entry.js';

/**
 * A compile cache entry (compiler/cache/entry-file.ts) keeps emitted pages as raw text after a
 * JSON head: what is read back must be exactly what was written, and a damaged file must read as
 * missing, never as other output.
 */
const dir = mkdtempSync(join(tmpdir(), 'runbook-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry: CacheEntry = {
  key: 'k'.repeat(64),
  path: 'runbooks/a.yaml',
  docs: [{ kind: 'Runbook', metadata: { name: 'a', title: 'Ä — ü' } }],
  diagnostics: [],
  graphs: [{ name: 'a', nodes: [{ id: 's1', title: '😀 \n "quoted"' }] } as never],
  outputs: [
    { emitter: 'docs', graph: 'a', path: 'generated/docs/Runbook-a.md', content: '# Ä\n\n😀 `x`\r\n' },
    { emitter: 'graphs', graph: 'a', path: 'generated/graphs/a.json', content: '' },
    // A lone surrogate (from a `"\ud800"` escape in YAML) has no UTF-8 form: it must survive too.
    { emitter: 'workflows-runbook', graph: 'a', path: '.github/workflows/runbook-a.yml', content: 'x\ud800y' },
  ],
};

describe('a compile cache entry file', () => {
  const file = join(dir, 'entry.json');

  it('reads back exactly what was written, multi-byte text and lone surrogates included', () => {
    writeEntryFile(file, entry);
    const read = readEntryFile(file)!;
    const outputs = read.outputs.map(({ utf8, ...o }) => ({ ...o, content: o.content }));
    expect({ ...read, outputs }).toEqual(entry);
    // The bytes kept for `compile` to compare and write are the content's; a text UTF-8 cannot hold has none.
    const bytes = read.outputs.map((o) => (o.utf8 ? Buffer.from(o.utf8).toString('utf8') : undefined));
    expect(bytes).toEqual([entry.outputs[0].content, '', undefined]);
  });

  it('reads as missing when truncated, altered by one byte, or absent', () => {
    writeEntryFile(file, entry);
    const data = readFileSync(file);
    writeFileSync(file, data.subarray(0, data.length - 1));
    expect(readEntryFile(file)).toBeUndefined();
    const altered = Buffer.from(data);
    altered[altered.length - 3] ^= 0x01;
    writeFileSync(file, altered);
    expect(readEntryFile(file)).toBeUndefined();
    expect(readEntryFile(join(dir, 'none.json'))).toBeUndefined();
  });
});
