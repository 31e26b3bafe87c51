import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { compileFor, renderDiagnostics, type CommonOptions } from '../compile-for-cli.js';
import { ExitCode } from '../exit-codes.js';

/** `runbook validate [PATH…]`: report every problem; exit 1 on any error. */
export function validateCommand(paths: string[], options: CommonOptions): number {
  const { result, shown } = compileFor(options.root, paths);
  process.stdout.write(renderDiagnostics(shown, result, options));
  return hasErrors(shown) ? ExitCode.Problems : ExitCode.Ok;
}
