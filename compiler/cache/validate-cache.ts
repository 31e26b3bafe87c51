import { join } from 'node:path';
import type { CompileOptions } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { readInputs, type CompileInputs } from '../project/read-inputs.js';
import type { SourceFile } from '../source/source-file.js';
import { cacheFormat } from './entry.js';
import { toolFingerprint } from './fingerprint.js';
import { ensureDirs, readChecked, sha256, writeChecked } from './store.js';

/** What `runbook validate` prints from: every finding of the tree, and the files they point into. */
export interface TreeDiagnostics {
  readonly files: ReadonlyMap<string, SourceFile>;
  readonly diagnostics: readonly Diagnostic[];
  /** True when the findings came from the cache (nothing was parsed). */
  readonly cached: boolean;
}

/** `validate.json` in the compile cache's folder: the findings of the last validated tree. */
interface ValidateMemo {
  readonly key: string;
  readonly diagnostics: Diagnostic[];
}

/**
 * The findings of a whole-tree compile, remembered in `dir` (as eslint --cache does) under a key
 * of everything the compile reads: the tool build, its options, and the path and
 * content of every file of the tree and of `drills/`, with the read errors. Any change to one of
 * them is a miss, and a miss compiles as `compileTree` would, so a hit prints exactly what an
 * uncached validate would. Without `dir`, nothing is read from or written to the cache. The
 * compiler (parsers, rules, schemas) is imported only on a miss: a hit loads none of it.
 */
export async function diagnoseTree(
  root: string,
  paths: readonly string[],
  options: Omit<CompileOptions, 'drills'>,
  dir: string | undefined,
): Promise<TreeDiagnostics> {
  const inputs = readInputs(root, paths);
  const key = dir === undefined ? undefined : memoKey(inputs, options);
  const memo = key === undefined ? undefined : readChecked<ValidateMemo>(memoPath(dir!));
  if (memo && memo.key === key) return { files: filesOf(inputs), diagnostics: memo.diagnostics, cached: true };
  const { compileInputs } = await import('../compile.js');
  const result = compileInputs(inputs, options);
  if (key !== undefined) save(dir!, { key, diagnostics: result.diagnostics });
  return { files: result.project.files, diagnostics: result.diagnostics, cached: false };
}

const memoPath = (dir: string): string => join(dir, 'validate.json');

/** `compileInputs` sees the paths only through what was read, so the files (and read errors) stand for them. */
function memoKey(inputs: CompileInputs, options: Omit<CompileOptions, 'drills'>): string {
  const hashed = (files: readonly SourceFile[]) => files.map((f) => [f.path, sha256(f.text)]);
  return sha256(
    JSON.stringify({
      format: cacheFormat,
      tool: toolFingerprint(),
      today: options.today instanceof Date ? options.today.toISOString() : options.today,
      files: hashed(inputs.files),
      records: hashed(inputs.drills.records),
      reports: hashed(inputs.drills.reports),
      ci: hashed(inputs.drills.ci ? [inputs.drills.ci] : []),
      readErrors: inputs.diagnostics,
    }),
  );
}

/** The project's files as a compile lists them: the tree, then the drill records (compile.ts). */
function filesOf(inputs: CompileInputs): ReadonlyMap<string, SourceFile> {
  const ci = inputs.drills.ci ? [inputs.drills.ci] : [];
  return new Map([...inputs.files, ...inputs.drills.records, ...ci].map((f) => [f.path, f]));
}

/** A cache that cannot be written (read-only checkout) only costs the next validate its speed. */
function save(dir: string, memo: ValidateMemo): void {
  try {
    ensureDirs(dir);
    writeChecked(memoPath(dir), memo);
  } catch {
    // Nothing to do: the findings were computed and are printed either way.
  }
}
