import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { DrillFiles } from '../load/drill-records.js';
import { runRequestsDir } from '../load/run-request.js';
import type { SourceFile } from '../source/source-file.js';
import { readDrillFiles } from './read-drill-files.js';
import { readTree } from './read-tree.js';

/** Default locations of the runbook tree inside a repository. */
export const defaultPaths = ['runbooks', runRequestsDir];

/** Default locations that may be missing: most repositories start without run requests. */
export const optionalPaths = [runRequestsDir];

/** Everything a compile reads from disk: the runbook tree and `drills/`, with their read errors. */
export interface CompileInputs {
  readonly files: SourceFile[];
  readonly drills: DrillFiles;
  /** Read errors of the tree, then of `drills/`. */
  readonly diagnostics: Diagnostic[];
}

/** The only I/O of a compile: reading the files under `paths` and `drills/`. */
export function readInputs(root: string, paths: readonly string[] = defaultPaths): CompileInputs {
  const tree = readTree(root, paths, optionalPaths);
  const drills = readDrillFiles(root); // drills: records and reports live beside the runbook tree
  return { files: tree.files, drills: drills.files, diagnostics: [...tree.diagnostics, ...drills.diagnostics] };
}
