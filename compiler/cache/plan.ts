import type { CompileInputs } from '../compile.js';
import type { CacheIndex } from './entry.js';
import { sha256 } from './store.js';

/** Which files an incremental compile compiles again, or why it cannot be incremental. */
export type IncrementalPlan =
  | { readonly ok: true; readonly compile: ReadonlySet<string>; readonly dirty: ReadonlySet<string> }
  | { readonly ok: false; readonly reason: string };

/**
 * A runbook file that calls another runbook (`uses: runbook`) depends on more than itself. Found in
 * the text, which over-approximates (a comment counts too): a false hit only costs speed.
 */
export const callsRunbook = (text: string): boolean => /\buses\s*:\s*["']?runbook["']?\s*(?:$|[,}#\s])/m.test(text);

/** Every name-like token of a text: a runbook whose name is one of them may be referred to there. */
function tokens(text: string, into: Set<string>): void {
  for (const m of text.matchAll(/[A-Za-z0-9_][A-Za-z0-9_.-]*/g)) into.add(m[0]);
}

/** Hash of what every file may depend on besides the tree: read errors and `drills/`. */
export function extraHash(inputs: CompileInputs): string {
  const drills = [
    ...inputs.drills.records,
    ...inputs.drills.reports,
    ...(inputs.drills.ci ? [inputs.drills.ci] : []),
  ].map((f) => [f.path, sha256(f.text)]);
  return sha256(JSON.stringify({ diagnostics: inputs.diagnostics, drills }));
}

/**
 * Compares the tree with the cache. Incremental only when the same files exist, every file that is
 * not a runbook file (Directory, Templates, Checklists, BackupPlans, run requests) is unchanged, and
 * so are drills/ and read errors. It then compiles again: the shared files, the runbook files that
 * changed, and the runbook files tied to others: those that call a runbook, and those whose name
 * appears in a shared file, a caller or drills/ (run requests, Directory drills, drill records,
 * `uses: runbook`).
 */
export function planIncremental(
  index: CacheIndex,
  inputs: CompileInputs,
  hashes: ReadonlyMap<string, string>,
  extra: string,
): IncrementalPlan {
  if (index.extra !== extra) return { ok: false, reason: 'drills/ or read errors changed' };
  const paths = Object.keys(index.files);
  if (paths.length !== inputs.files.length) return { ok: false, reason: 'files were added or removed' };
  const dirty = new Set<string>();
  const compile = new Set<string>();
  const referred = new Set<string>();
  for (const file of inputs.files) {
    const known = index.files[file.path];
    if (!known) return { ok: false, reason: `new file ${file.path}` };
    const changed = known.hash !== hashes.get(file.path);
    if (!known.unit && changed) return { ok: false, reason: `${file.path} is shared and changed` };
    if (changed) dirty.add(file.path);
    if (!known.unit || callsRunbook(file.text)) {
      compile.add(file.path);
      tokens(file.text, referred);
    }
  }
  // Drill records and reports name runbooks too (their pages and freshness join the two).
  for (const file of [...inputs.drills.records, ...inputs.drills.reports]) tokens(file.text, referred);
  for (const path of paths) {
    const known = index.files[path];
    if (dirty.has(path) || known.names.some((n) => referred.has(n))) compile.add(path);
  }
  return { ok: true, compile, dirty };
}
