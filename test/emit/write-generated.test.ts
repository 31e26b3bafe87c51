import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import type { Emitter } from '../../compiler/emit/emitter.js';
import { emitters } from '../../compiler/emit/index.js';
import { ownedFiles, planGenerated, writeGenerated } from '../../compiler/emit/write-generated.js';
import { bin, cliEnv } from '../support/cli.js';

/**
 * Emitters declare the folders they write into (`Emitter.folders`); `compile` derives from them
 * where to look for stale files, and asks each emitter's `owns` only about files under its own
 * folders. A stale file an emitter owns is reported by `--check` and deleted by `compile`; a file
 * no emitter owns (the user's own workflow, a note in generated/) is never touched.
 */
const repo = join(import.meta.dirname, '..', '..');
const fixture = join(repo, 'test', 'fixtures', 'equivalence', 'yaml');

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copyTree(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-generated-'));
  temps.push(dir);
  cpSync(src, dir, { recursive: true });
  return dir;
}

function put(root: string, path: string, content = 'stale\n'): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** Files of deleted runbooks, one per kind of owned folder. */
const stale = [
  '.github/workflows/runbook-deleted-runbook.yml',
  'generated/docs/Runbook-deleted-runbook.md',
  'generated/graphs/deleted-runbook.json',
];
/** Files in or next to the owned folders that no emitter owns. */
const foreign = [
  '.github/dependabot.yml',
  '.github/workflows/ci.yml',
  'generated/graphs/README.txt',
  'generated/notes.md',
  'docs/generated/graphs/x.json',
];

describe('emitters own the folders they declare', { timeout: 120_000 }, () => {
  it('every emitter declares its folders, and emits only files it owns under them', () => {
    const result = compileTree(fixture);
    for (const emitter of emitters) {
      expect(emitter.folders.length, emitter.id).toBeGreaterThan(0);
      for (const file of emitter.emit(result)) {
        expect(emitter.owns(file.path), `${emitter.id}: ${file.path}`).toBe(true);
        expect(
          emitter.folders.some((f) => file.path.startsWith(`${f}/`)),
          `${emitter.id}: ${file.path}`,
        ).toBe(true);
      }
    }
  });

  it('reports and removes stale owned files, and leaves every other file alone', () => {
    const root = copyTree(fixture);
    const result = compileTree(root);
    writeGenerated(root, planGenerated(root, result, emitters));
    for (const p of [...stale, ...foreign]) put(root, p);
    const status = planGenerated(root, result, emitters);
    expect(status.removed).toEqual([...stale].sort());
    expect([...status.changed, ...status.added]).toEqual([]);
    writeGenerated(root, status);
    for (const p of stale) expect(existsSync(join(root, p)), p).toBe(false);
    for (const p of foreign) expect(existsSync(join(root, p)), p).toBe(true);
    expect(planGenerated(root, result, emitters).removed).toEqual([]);
  });

  it('looks in the folders the emitters declare, and nowhere else', () => {
    const root = copyTree(fixture);
    // An emitter that would claim any file: only its declared folder is searched.
    const greedy: Emitter = { id: 'greedy', docs: '', folders: ['out'], emit: () => [], owns: () => true };
    put(root, 'out/a.txt');
    put(root, 'out/nested/b.txt');
    put(root, 'elsewhere/c.txt');
    put(root, 'generated/graphs/d.json');
    expect(ownedFiles(root, [greedy])).toEqual(['out/a.txt', 'out/nested/b.txt']);
  });

  it('compares and writes the bytes of a file that carries them (a file reused from the compile cache)', () => {
    const root = mkdtempSync(join(tmpdir(), 'runbook-generated-'));
    temps.push(root);
    // `content` is never read when the bytes are at hand: that is the point (no decoding of cached pages).
    const file = (path: string, content: string) => ({
      path,
      get content(): string {
        throw new Error(`${path}: content read`);
      },
      utf8: Buffer.from(content),
    });
    const files = [file('out/same.md', 'Ä same\n'), file('out/other.md', 'Ä new\n'), file('out/new.md', 'ü\n')];
    const emitter: Emitter = { id: 'bytes', docs: '', folders: ['out'], emit: () => files, owns: () => true };
    put(root, 'out/same.md', 'Ä same\n');
    put(root, 'out/other.md', 'Ä old\n');
    const status = planGenerated(root, compileTree(fixture), [emitter]);
    expect(status).toMatchObject({ changed: ['out/other.md'], added: ['out/new.md'], removed: [] });
    writeGenerated(root, status);
    expect(planGenerated(root, compileTree(fixture), [emitter])).toMatchObject({ changed: [], added: [] });
  });

  it('`compile --check` lists stale owned files, and `compile` deletes only those', () => {
    const root = copyTree(fixture);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(), timeout: 90_000 });
    expect(cli('compile').status).toBe(0);
    for (const p of [...stale, ...foreign]) put(root, p);
    const check = cli('compile', '--check');
    expect(check.status).toBe(1);
    expect(check.stderr.match(/^ {2}orphaned (\S+)$/gm)?.map((l) => l.trim().split(/\s+/)[1])).toEqual(
      [...stale].sort(),
    );
    for (const p of stale) expect(existsSync(join(root, p)), `--check never deletes ${p}`).toBe(true);
    expect(cli('compile').status).toBe(0);
    for (const p of stale) expect(existsSync(join(root, p)), p).toBe(false);
    for (const p of foreign) expect(existsSync(join(root, p)), p).toBe(true);
    expect(cli('compile', '--check').status).toBe(0);
  });
});
