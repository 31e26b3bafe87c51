import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The compile cache knows which tool build wrote it by a fingerprint (compiler/cache/fingerprint.ts).
 * `npm run build` stamps the built tree (scripts/build-fingerprint.js) so a process need not hash
 * every compiler file; the stamp must give the same fingerprint as hashing, and a stamp the tree
 * no longer matches (a compiler file changed after the build) must not be trusted.
 */
const repo = join(import.meta.dirname, '..', '..');
const copy = mkdtempSync(join(tmpdir(), 'runbook-fingerprint-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

interface Fingerprint {
  value: string;
  from: 'stamp' | 'tree';
}

/** Calls the built fingerprint module of the package at `root` in a fresh process (it memoises). */
function call(root: string, fn: 'readToolFingerprint' | 'writeToolStamp'): unknown {
  const module = join(root, 'dist', 'compiler', 'cache', 'fingerprint.js');
  const code = `const m = await import(${JSON.stringify(module)}); console.log(JSON.stringify(m.${fn}()));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }));
}
const fingerprint = (root: string) => call(root, 'readToolFingerprint') as Fingerprint;

/** Replaces `from` by `to` in a built compiler file of the copy. */
function editCompiler(from: string, to: string): void {
  const file = join(copy, 'dist', 'compiler', 'compile.js');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

describe('the tool fingerprint and its build stamp', () => {
  let built: Fingerprint;

  beforeAll(() => {
    built = fingerprint(repo);
    for (const part of ['dist/compiler', 'dist/ir', 'dist/common', 'schemas', 'package.json'])
      cpSync(join(repo, part), join(copy, part), { recursive: true });
  });

  it('npm run build stamps the tree, and the stamp gives the fingerprint hashing gives', () => {
    expect(existsSync(join(repo, 'dist', 'compiler', 'cache', 'fingerprint.json'))).toBe(true);
    expect(built.from).toBe('stamp');
    rmSync(join(copy, 'dist', 'compiler', 'cache', 'fingerprint.json'));
    expect(fingerprint(copy)).toEqual({ value: built.value, from: 'tree' });
    call(copy, 'writeToolStamp');
    expect(fingerprint(copy)).toEqual({ value: built.value, from: 'stamp' });
  });

  it('does not trust a stamp once a compiler file changed, even to one of the same size', () => {
    editCompiler('export function', 'export  function');
    const longer = fingerprint(copy);
    expect(longer.from).toBe('tree');
    expect(longer.value).not.toBe(built.value);
    call(copy, 'writeToolStamp');
    expect(fingerprint(copy)).toEqual({ value: longer.value, from: 'stamp' });
    // Same size, so only the modification time gives the change away.
    editCompiler('export  function', 'export\t function');
    const same = fingerprint(copy);
    expect(same.from).toBe('tree');
    expect(same.value).not.toBe(longer.value);
  });
});
