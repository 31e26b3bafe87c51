import { defaultPaths } from '../../compiler/compile.js';
import { compileCached, defaultCacheDir, type CachedCompile } from '../../compiler/cache/incremental.js';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { emitters } from '../../compiler/emit/index.js';
import { planGenerated, writeGenerated } from '../../compiler/emit/write-generated.js';
import { compileFor, renderDiagnostics, type CommonOptions } from '../compile-for-cli.js';
import { ExitCode } from '../exit-codes.js';

/**
 * `runbook compile [--check]`: writes generated/ (graphs, docs) when the tree has no errors.
 * With `--check`, writes nothing and exits 1 listing every stale, missing or orphaned file.
 */
export function compileCommand(options: CommonOptions & { check?: boolean; cache?: boolean }): number {
  // The cache (compiler/cache/) makes a compile after a small edit quick; --no-cache skips it.
  let cached: CachedCompile | undefined;
  const { result, shown } = compileFor(
    options.root,
    [],
    options.cache === false
      ? undefined
      : (root, paths = defaultPaths, opts = {}) =>
          (cached = compileCached(root, paths, opts, defaultCacheDir(root))).result,
  );
  const printed = renderDiagnostics(shown, result, options);
  if (hasErrors(shown)) {
    process.stdout.write(printed);
    process.stderr.write('compile: nothing written because of the errors above\n');
    return ExitCode.Problems;
  }
  if (options.format !== 'terminal' || shown.some((d) => d.severity === 'warning')) process.stdout.write(printed);
  const status = planGenerated(options.root, result, emitters);
  if (!options.check) cached?.save(); // --check writes nothing, not even the cache
  const stale = [
    ...status.changed.map((p) => `changed  ${p}`),
    ...status.added.map((p) => `missing  ${p}`),
    ...status.removed.map((p) => `orphaned ${p}`),
  ];
  if (options.check) {
    if (stale.length === 0) {
      process.stdout.write(`generated files are up to date (${status.files.length} files)\n`);
      return ExitCode.Ok;
    }
    process.stderr.write(
      `generated files are stale; run \`runbook compile\`:\n${stale.map((s) => '  ' + s).join('\n')}\n`,
    );
    return ExitCode.Problems;
  }
  writeGenerated(options.root, status);
  process.stdout.write(
    `compiled ${result.graphs.length} graphs; ${status.files.length} generated files, ${stale.length} updated\n`,
  );
  return ExitCode.Ok;
}
