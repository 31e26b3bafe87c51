import { compileTree, type CompileResult } from '../compiler/compile.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { compileScope } from './compile-scope.js';

export { renderDiagnostics, type CommonOptions, type OutputFormat } from './compile-scope.js';

/**
 * Compiles the whole tree (so cross-file references resolve) and keeps the findings of the
 * requested paths only.
 */
export function compileFor(
  root: string,
  paths: readonly string[],
  compile: typeof compileTree = compileTree,
): { result: CompileResult; shown: Diagnostic[] } {
  const scope = compileScope(root, paths);
  const result = compile(root, scope.paths, scope.options);
  return { result, shown: result.diagnostics.filter((d) => scope.inScope(d.file)) };
}
