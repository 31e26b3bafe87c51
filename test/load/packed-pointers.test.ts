import { describe, expect, it } from 'vitest';
import { packedSlot, packPointers } from '../../compiler/load/packed-pointers.js';
import { SourceMap } from '../../compiler/load/source-map.js';
import type { SourceFile } from '../../compiler/source/source-file.js';

// Pointers as loaders make them, and the awkward ones a key can produce: empty, escaped, other
// scripts, line breaks, NUL, prefixes of each other.
const pointers = [
  '',
  '/spec',
  '/spec/phases',
  '/spec/phases/0',
  '/spec/phases/0/steps/10',
  '/spec/phases/0/steps/1',
  '/metadata/a~1b~0c',
  '/metadata/ключ',
  '/metadata/line\nbreak',
  '/metadata/nul\u0000x',
  '/metadata/😀',
  ...Array.from({ length: 500 }, (_, i) => `/spec/phases/${i % 7}/steps/${i}/with/command`),
];

function file(): SourceFile {
  return { path: 'runbooks/x.yaml', text: 'x'.repeat(100_000) } as SourceFile;
}

function filled(): SourceMap {
  const map = new SourceMap(file());
  pointers.forEach((p, i) =>
    map.set(p, { start: i * 10, end: i * 10 + 5 }, i % 3 ? { start: i, end: i + 2 } : undefined),
  );
  return map;
}

const clone = <T>(value: T): T => structuredClone(value);

describe('packed pointers (a SourceMap sent from a worker thread)', () => {
  it('finds every pointer, and nothing else', () => {
    const map = filled();
    const packed = packPointers(new Map(pointers.map((p, i) => [p, i * 4])), map.toParts().ranges);
    pointers.forEach((p, i) => expect(packedSlot(packed, p)).toBe(i * 4));
    for (const missing of ['/spe', '/spec/', '/spec/phases/0/steps/100', '/metadata/line', 'spec', '/metadata/nul'])
      expect(packedSlot(packed, missing)).toBeUndefined();
  });

  it('answers as the map it was packed from, after a structured clone', () => {
    const original = filled();
    const received = new SourceMap(original.file, clone(original.toParts()));
    for (const p of [...pointers, '/spec/phases/0/steps/1/id', '/nowhere/at/all']) {
      expect(received.has(p)).toBe(original.has(p));
      expect(received.range(p)).toEqual(original.range(p));
      expect(received.keyRange(p)).toEqual(original.keyRange(p));
    }
  });

  it('can still be written (unpacked first) and mounted', () => {
    const received = new SourceMap(file(), clone(filled().toParts()));
    received.set('/spec/new', { start: 1, end: 2 });
    received.set('/spec', { start: 3, end: 4 });
    expect(received.range('/spec/new')).toEqual({ start: 1, end: 2 });
    expect(received.range('/spec')).toEqual({ start: 3, end: 4 });
    expect(received.range('/spec/phases/0/steps/10')).toEqual(filled().range('/spec/phases/0/steps/10'));
    const host = new SourceMap(file());
    host.mount('/spec/phases/0/steps/0', new SourceMap(file(), clone(filled().toParts())));
    expect(host.range('/spec/phases/0/steps/0/metadata/ключ')).toEqual(filled().range('/metadata/ключ'));
  });
});
