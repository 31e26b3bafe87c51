import { diagnoseTree } from '../../compiler/cache/validate-cache.js';
import { defaultCacheDir } from '../../compiler/cache/store.js';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { compileScope, renderDiagnostics, type CommonOptions } from '../compile-scope.js';
import { ExitCode } from '../exit-codes.js';

/**
 * `runbook validate [PATH…]`: report every problem; exit 1 on any error. The findings of an
 * unchanged tree come from the cache (compiler/cache/validate-cache.ts), as `runbook compile`'s
 * output does; `--no-cache` compiles afresh and leaves the cache alone.
 */
export async function validateCommand(paths: string[], options: CommonOptions & { cache?: boolean }): Promise<number> {
  const scope = compileScope(options.root, paths);
  const dir = options.cache === false ? undefined : defaultCacheDir(options.root);
  const tree = await diagnoseTree(options.root, scope.paths, scope.options, dir);
  const shown = tree.diagnostics.filter((d) => scope.inScope(d.file));
  process.stdout.write(renderDiagnostics(shown, { project: { files: tree.files } }, options));
  return hasErrors(shown) ? ExitCode.Problems : ExitCode.Ok;
}
