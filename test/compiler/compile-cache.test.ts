import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript module without types
import { generateCorpus } from '../../bench/corpus.js';
import { compileCached, defaultCacheDir } from '../../compiler/cache/incremental.js';
import { readChecked, writeChecked } from '../../compiler/cache/store.js';
import { compileTree, defaultPaths, type CompileResult } from '../../compiler/compile.js';
import { emitters } from '../../compiler/emit/index.js';

/**
 * The incremental compile (compiler/cache/) must give exactly what a full compile gives: the same
 * files, byte for byte, and the same diagnostics. A cache written by another tool build, or with a
 * corrupt entry, must be ignored (a full compile), never read.
 */
const dir = mkdtempSync(join(tmpdir(), 'runbook-cache-'));
const cacheDir = defaultCacheDir(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const emitAll = (result: CompileResult) => emitters.flatMap((e) => e.emit(result));
const runbook = (n: number) => join(dir, 'runbooks', 'procedures', `bench-runbook-${String(n).padStart(4, '0')}.yaml`);

/** A compile through the cache, then its emitted files and diagnostics; saves the cache. */
function cachedCompile() {
  const compiled = compileCached(dir, defaultPaths, {}, cacheDir);
  const emitted = emitAll(compiled.result);
  compiled.save();
  // A reused file may carry its bytes (`utf8`, what `compile` compares and writes): they must be its content's.
  for (const f of emitted) if (f.utf8) expect(Buffer.from(f.utf8).equals(Buffer.from(f.content))).toBe(true);
  const files = emitted.map((f) => ({ path: f.path, content: f.content }));
  return { mode: compiled.mode, reason: compiled.reason, files, diagnostics: compiled.result.diagnostics };
}

function fullCompile() {
  const result = compileTree(dir);
  return { files: emitAll(result), diagnostics: result.diagnostics };
}

function edit(n: number, from: string, to: string): void {
  const text = readFileSync(runbook(n), 'utf8');
  expect(text).toContain(from);
  writeFileSync(runbook(n), text.replace(from, to));
}

describe('incremental compile', { timeout: 120_000 }, () => {
  beforeAll(() => {
    generateCorpus(dir, { runbooks: 12, steps: 12 });
    expect(cachedCompile().mode).toBe('full'); // no cache yet
  });

  it('after one runbook changes, compiles incrementally and emits byte-identical output', () => {
    edit(3, 'title: Step 2 of phase 1', 'title: Step two of phase 1');
    const incremental = cachedCompile();
    expect(incremental.mode).toBe('incremental');
    const full = fullCompile();
    expect(incremental.files).toEqual(full.files);
    expect(incremental.diagnostics).toEqual(full.diagnostics);
    expect(incremental.files.find((f) => f.path === 'generated/docs/Runbook-bench-runbook-0003.md')?.content).toContain(
      'Step two of phase 1',
    );
  });

  it('keeps diagnostics byte-identical when the edit breaks a runbook, and when it is fixed', () => {
    edit(5, 'timeout: 30s', 'timeout: soon');
    const broken = cachedCompile();
    expect(broken.mode).toBe('incremental');
    const full = fullCompile();
    expect(full.diagnostics.some((d) => d.severity === 'error' && d.file.endsWith('0005.yaml'))).toBe(true);
    expect(broken).toMatchObject({ files: full.files, diagnostics: full.diagnostics });
    edit(5, 'timeout: soon', 'timeout: 30s');
    const fixed = cachedCompile();
    expect(fixed.mode).toBe('incremental');
    expect(fixed).toMatchObject(fullCompile());
  });

  it('reuses the resume workflow while its whole input is unchanged, and renders it when that changes', () => {
    const wholePath = join(cacheDir, 'whole.json');
    type Whole = { outputs: { path: string; content: string }[] };
    const whole = readChecked<Whole>(wholePath)!;
    const resume = whole.outputs.find((o) => o.path === '.github/workflows/runbook-resume.yml')!;
    expect(resume).toBeDefined();
    // Mark the cached text: only a reuse can bring the mark into the output.
    const marked = { ...whole, outputs: whole.outputs.map((o) => (o === resume ? { ...o, content: 'MARK' } : o)) };
    writeChecked(wholePath, marked);
    edit(2, 'title: Step 3 of phase 1', 'title: Step three of phase 1'); // no input of the resume workflow
    const reused = cachedCompile();
    expect(reused.mode).toBe('incremental');
    expect(reused.files.find((f) => f.path === resume.path)?.content).toBe('MARK');
    edit(11, 'environment: production-failover', 'environment: production-failover-b'); // one of its inputs
    const rendered = cachedCompile();
    expect(rendered.mode).toBe('incremental');
    expect(rendered.files.find((f) => f.path === resume.path)?.content).toContain('production-failover-b');
    expect(rendered).toMatchObject(fullCompile());
  });

  it('ignores a cache written by another tool build', () => {
    const indexPath = join(cacheDir, 'index.json');
    const index = readChecked<Record<string, unknown>>(indexPath)!;
    writeChecked(indexPath, { ...index, tool: 'another-build' });
    edit(7, 'title: Step 1 of phase 1', 'title: Step one of phase 1');
    const after = cachedCompile();
    expect(after).toMatchObject({ mode: 'full', reason: 'cache of another tool build' });
    expect(after).toMatchObject(fullCompile());
    expect(cachedCompile().mode).toBe('incremental'); // the full compile wrote a cache of this build
  });

  it('falls back to a full compile when a cache entry is corrupt, never to wrong output', () => {
    const entries = join(cacheDir, 'entries');
    for (const name of readdirSync(entries)) {
      // Change the cached page text of every entry without breaking its JSON.
      const path = join(entries, name);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/Phase 1 of the recovery/g, 'Phase 1 of the RECOVERY'));
    }
    edit(9, 'title: Step 4 of phase 1', 'title: Step four of phase 1');
    const after = cachedCompile();
    expect(after.mode).toBe('full');
    expect(after.reason).toMatch(/cache entry of .* unreadable/);
    expect(after).toMatchObject(fullCompile());
    expect(JSON.stringify(after.files)).not.toContain('RECOVERY');
  });

  it('compiles in full when the Directory changes: pages that show its people are rebuilt', () => {
    const directory = join(dir, 'runbooks', 'directory.yaml');
    writeFileSync(directory, readFileSync(directory, 'utf8').replace('name: Grace Hopper', 'name: Grace B. Hopper'));
    const after = cachedCompile();
    expect(after).toMatchObject({ mode: 'full', reason: 'runbooks/directory.yaml is shared and changed' });
    expect(JSON.stringify(after.files)).toContain('Grace B. Hopper');
    expect(after).toMatchObject(fullCompile());
  });

  it('compiles in full when a shared file (a Template) changes', () => {
    const template = join(dir, 'runbooks', 'templates', 'bench-status.md.hbs');
    writeFileSync(template, readFileSync(template, 'utf8').replace('Run {{run.url}}.', 'See {{run.url}}.'));
    const after = cachedCompile();
    expect(after.mode).toBe('full');
    expect(after).toMatchObject(fullCompile());
  });
});
