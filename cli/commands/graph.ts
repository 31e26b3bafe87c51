import { renderMermaid } from '../../compiler/emit/docs/mermaid.js';
import { didYouMean } from '../../compiler/validate/did-you-mean.js';
import { hasErrors } from '../../compiler/diagnostics/diagnostic.js';
import { compileFor, renderDiagnostics, type CommonOptions } from '../compile-for-cli.js';
import { ExitCode } from '../exit-codes.js';

/** `runbook graph NAME`: prints the runbook's Mermaid flowchart. */
export function graphCommand(name: string, options: CommonOptions & { json?: boolean }): number {
  const { result } = compileFor(options.root, []);
  const graph = result.graphs.find((g) => g.name === name);
  if (!graph) {
    const known = result.context.runbooks.map((r) => r.data.metadata.name);
    if (known.includes(name)) {
      const own = result.diagnostics.filter((d) =>
        result.context.runbooks.some((r) => r.data.metadata.name === name && r.doc.file.path === d.file),
      );
      process.stdout.write(renderDiagnostics(own, result, options));
      return hasErrors(own) ? ExitCode.Problems : ExitCode.Internal;
    }
    const guess = didYouMean(name, known);
    process.stderr.write(
      `no runbook named "${name}"${guess ? `; did you mean "${guess}"?` : ''}\nknown: ${known.sort().join(', ')}\n`,
    );
    return ExitCode.Usage;
  }
  process.stdout.write(options.json ? JSON.stringify(graph, null, 2) + '\n' : renderMermaid(graph) + '\n');
  return ExitCode.Ok;
}
