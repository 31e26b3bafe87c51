import { join } from 'node:path';
import type { IrGraph } from '../../ir/types.js';
import { compileInputs, readInputs, type CompileOptions, type CompileResult } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { docName } from '../load/loaded-doc.js';
import type { EmitMemo } from './emit-memo.js';
import { cacheFormat, type CacheEntry, type CacheIndex, type EntryOutput, type IndexedFile } from './entry.js';
import { toolFingerprint } from './fingerprint.js';
import { hybridResult } from './hybrid.js';
import { extraHash, planIncremental } from './plan.js';
import { readEntryFile, writeEntryFile } from './entry-file.js';
import { WholeOutputs } from './whole-outputs.js';
import { ensureDirs, entryPath, pruneEntries, readChecked, sha256, writeChecked } from './store.js';

export { defaultCacheDir } from './store.js';

/**
 * Diagnostics that depend on every document of the tree (duplicates; "did you mean" over every
 * runbook name). A tree that has any is always compiled in full.
 */
const treeWideCodes = new Set([
  'duplicate-name',
  'duplicate-directory',
  'unknown-runbook',
  'run-request-unknown-runbook',
]);

export interface CachedCompile {
  readonly result: CompileResult;
  /** `full` (no usable cache, or a change that needs every file) or `incremental`. */
  readonly mode: 'full' | 'incremental';
  /** Why the compile was full, when it was. */
  readonly reason?: string;
  /** Saves the cache; call after every emitter ran on `result` (they record their output). */
  save(): void;
}

/**
 * `compileTree` with a content-hash cache in `dir`: files unchanged since the last compile (and
 * independent of those that changed) are not parsed again, and emitters reuse their pages. The
 * output is byte-identical to a full compile's; any doubt (another tool build, other options, a
 * shared file changed, a corrupt cache file) means a full compile.
 */
export function compileCached(
  root: string,
  paths: readonly string[],
  options: Omit<CompileOptions, 'drills'>,
  dir: string,
): CachedCompile {
  const inputs = readInputs(root, paths);
  const hashes = new Map(inputs.files.map((f) => [f.path, sha256(f.text)]));
  const tool = toolFingerprint();
  const state: Session = {
    dir,
    tool,
    options: JSON.stringify({
      paths,
      today: options.today instanceof Date ? options.today.toISOString() : options.today,
    }),
    extra: extraHash(inputs),
    hashes,
    recorded: new Map(),
    whole: new WholeOutputs(dir, tool),
  };
  const attempt = tryIncremental(state, inputs, options);
  if (attempt.ok) return attempt.compile;
  const memo = recorder(state, () => undefined);
  const result = { ...compileInputs(inputs, options), memo };
  return { result, mode: 'full', reason: attempt.reason, save: () => saveCache(state, result, new Map()) };
}

/** What one compile knows while it runs. */
interface Session {
  readonly dir: string;
  readonly tool: string;
  readonly options: string;
  readonly extra: string;
  readonly hashes: ReadonlyMap<string, string>;
  /** Output recorded by emitters, by source file. */
  readonly recorded: Map<string, EntryOutput[]>;
  /** Files built from the whole tree, keyed by their render input (emit-memo.ts). */
  readonly whole: WholeOutputs;
}

type Attempt = { ok: true; compile: CachedCompile } | { ok: false; reason: string };

function tryIncremental(
  state: Session,
  inputs: ReturnType<typeof readInputs>,
  options: Omit<CompileOptions, 'drills'>,
): Attempt {
  const index = readChecked<CacheIndex>(join(state.dir, 'index.json'));
  if (!index || index.format !== cacheFormat) return { ok: false, reason: 'no cache' };
  if (index.tool !== state.tool) return { ok: false, reason: 'cache of another tool build' };
  if (index.options !== state.options) return { ok: false, reason: 'cache of other paths or options' };
  const plan = planIncremental(index, inputs, state.hashes, state.extra);
  if (!plan.ok) return plan;
  const cached = new Map<string, CacheEntry>();
  for (const [path, known] of Object.entries(index.files)) {
    if (plan.compile.has(path)) continue;
    const entry = known.entry ? readEntryFile(entryPath(state.dir, known.entry)) : undefined;
    if (!entry || entry.key !== known.entry || entry.path !== path)
      return { ok: false, reason: `cache entry of ${path} unreadable` };
    cached.set(path, entry);
  }
  const subset = compileInputs({ ...inputs, files: inputs.files.filter((f) => plan.compile.has(f.path)) }, options);
  const problem = subsetProblem(subset, index, plan.dirty);
  if (problem) return { ok: false, reason: problem };
  const memo = recorder(state, (emitter, graph, path) => {
    const entry = cached.get(graph.origin.file);
    return entry?.outputs.find((o) => o.emitter === emitter && o.graph === graph.name && o.path === path);
  });
  const result = hybridResult(subset, inputs.files, cached, memo);
  return { ok: true, compile: { result, mode: 'incremental', save: () => saveCache(state, result, cached) } };
}

/** A subset compile is only as good as a full one when no changed file took another name. */
function subsetProblem(subset: CompileResult, index: CacheIndex, dirty: ReadonlySet<string>): string | undefined {
  if (subset.diagnostics.some((d) => treeWideCodes.has(d.code))) return 'findings that depend on every file';
  for (const path of dirty) {
    const names = subset.project.docs.filter((d) => d.file.path === path).map((d) => docName(d) ?? '');
    if (JSON.stringify(names) !== JSON.stringify(index.files[path].names)) return `${path} changed its names`;
    if (subset.project.docs.some((d) => d.file.path === path && d.kind !== 'Runbook')) return `${path} changed kind`;
  }
  return undefined;
}

/** Finds what a cached entry holds for one file of one graph. */
type FindOutput = (emitter: string, graph: IrGraph, path: string) => EntryOutput | undefined;

function recorder(state: Session, find: FindOutput): EmitMemo {
  return {
    reuse: (emitter, graph, path) => find(emitter, graph, path)?.content,
    reuseFile(emitter, graph, path) {
      const output = find(emitter, graph, path);
      if (!output) return undefined;
      // Only the file's own fields, and `content` still decoded on first read (entry-file.ts).
      return {
        path: output.path,
        get content() {
          return output.content;
        },
        ...(output.utf8 ? { utf8: output.utf8 } : {}),
      };
    },
    record(emitter, graph: IrGraph, path, content) {
      const list = state.recorded.get(graph.origin.file) ?? [];
      list.push({ emitter, graph: graph.name, path, content });
      state.recorded.set(graph.origin.file, list);
    },
    reuseWhole: (emitter, path, key) => state.whole.reuse(emitter, path, key),
    recordWhole: (emitter, path, key, content) => state.whole.record(emitter, path, key, content),
  };
}

/** Writes the entries of the files compiled this time, then the index, then drops stale entries. */
function saveCache(state: Session, result: CompileResult, cached: ReadonlyMap<string, CacheEntry>): void {
  ensureDirs(state.dir);
  const treeWide = result.diagnostics.some((d) => treeWideCodes.has(d.code));
  const files: Record<string, IndexedFile> = {};
  const byFile = groupByFile(result);
  for (const [path, hash] of state.hashes) {
    const reused = cached.get(path);
    const docs = byFile.docs.get(path) ?? [];
    const unit = !treeWide && docs.length > 0 && docs.every((d) => d.kind === 'Runbook');
    if (!unit) {
      files[path] = { hash, unit: false, names: [] };
      continue;
    }
    const key = reused?.key ?? sha256(JSON.stringify([state.tool, state.options, state.extra, path, hash]));
    if (!reused) writeEntry(state, result, byFile, path, key);
    files[path] = { hash, unit: true, names: docs.map((d) => docName(d) ?? ''), entry: key };
  }
  writeChecked(join(state.dir, 'index.json'), {
    format: cacheFormat,
    tool: state.tool,
    options: state.options,
    extra: state.extra,
    files,
  } satisfies CacheIndex);
  pruneEntries(state.dir, new Set(Object.values(files).flatMap((f) => (f.entry ? [f.entry] : []))));
  state.whole.save();
}

function writeEntry(state: Session, result: CompileResult, byFile: ByFile, path: string, key: string): void {
  const entry: CacheEntry = {
    key,
    path,
    docs: (byFile.docs.get(path) ?? []).map((d) => ({ kind: d.kind, metadata: d.data.metadata })),
    diagnostics: byFile.diagnostics.get(path) ?? [],
    graphs: result.graphs.filter((g) => g.origin.file === path),
    outputs: state.recorded.get(path) ?? [],
  };
  writeEntryFile(entryPath(state.dir, key), entry);
}

interface ByFile {
  readonly docs: Map<string, CompileResult['project']['docs']>;
  readonly diagnostics: Map<string, Diagnostic[]>;
}

function groupByFile(result: CompileResult): ByFile {
  const docs = new Map<string, CompileResult['project']['docs']>();
  for (const d of result.project.docs) docs.set(d.file.path, [...(docs.get(d.file.path) ?? []), d]);
  const diagnostics = new Map<string, Diagnostic[]>();
  for (const d of result.diagnostics) diagnostics.set(d.file, [...(diagnostics.get(d.file) ?? []), d]);
  return { docs, diagnostics };
}
