import type { IrGraph } from '../../ir/types.js';
import type { CompileResult } from '../compile.js';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Kind, LoadedDoc } from '../load/loaded-doc.js';
import type { Project } from '../project/project.js';
import type { SourceFile } from '../source/source-file.js';
import type { EmitMemo } from './emit-memo.js';
import type { CacheEntry } from './entry.js';

/**
 * The result of an incremental compile: what the compile of a subset of the tree found, plus what
 * the cache holds for the other (unchanged, independent) runbook files: their diagnostics, their
 * graphs, and their documents' metadata for the emitters that list every document (CODEOWNERS,
 * the Home page's "Not shown"). Everything else (context, run requests, drills) comes from the
 * shared files, which the subset always holds.
 */
export function hybridResult(
  subset: CompileResult,
  files: readonly SourceFile[],
  cached: ReadonlyMap<string, CacheEntry>,
  memo: EmitMemo,
): CompileResult {
  const graphs: IrGraph[] = [...subset.graphs];
  const diagnostics: Diagnostic[] = [...subset.diagnostics];
  for (const entry of cached.values()) {
    graphs.push(...entry.graphs);
    diagnostics.push(...entry.diagnostics);
  }
  graphs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    ...subset,
    project: hybridProject(subset.project, files, cached),
    diagnostics: sortDiagnostics(diagnostics),
    graphs,
    memo,
  };
}

/** The subset's project with stand-ins for the documents of cached files, in file order. */
function hybridProject(
  subset: Project,
  files: readonly SourceFile[],
  cached: ReadonlyMap<string, CacheEntry>,
): Project {
  const byFile = new Map<string, LoadedDoc[]>();
  for (const doc of subset.docs) byFile.set(doc.file.path, [...(byFile.get(doc.file.path) ?? []), doc]);
  const docs: LoadedDoc[] = [];
  for (const file of files) {
    const entry = cached.get(file.path);
    if (entry) docs.push(...entry.docs.map((d) => standIn(file, d.kind as Kind, d.metadata)));
    else docs.push(...(byFile.get(file.path) ?? []));
  }
  // Drill records are files of the subset's project (they load as no document).
  const all = new Map(files.map((f) => [f.path, f]));
  for (const [path, file] of subset.files) if (!all.has(path)) all.set(path, file);
  return { ...subset, files: all, docs, ofKind: (kind) => docs.filter((d) => d.kind === kind) };
}

/**
 * A cached document: its file, kind and metadata only. Emitters that list every document read no
 * more (codeowners.ts, home-page.ts); lookups by name (`byName`) answer from the subset.
 */
function standIn(file: SourceFile, kind: Kind, metadata: unknown): LoadedDoc {
  return { file, kind, data: { metadata } } as unknown as LoadedDoc;
}
