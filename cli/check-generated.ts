import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compileTree } from '../compiler/compile.js';
import { loadGraph, reachableGraphs, RunRefused } from '../executor/facade/index.js';
import { graphHash } from '../ir/plan-hash.js';

/**
 * Refuses to run `name` when its graph in `generated/graphs/` (or a child runbook's) is not what
 * compiling the sources in `runbooks/` gives. The plan hash inside a graph only proves the file is
 * self-consistent: someone who edits a graph by hand can recompute it, so the sources are the
 * reference. A root without `runbooks/` (generated graphs deployed alone) has nothing to compare
 * with and is run as it is. This lives in the CLI because the executor never imports the compiler.
 */
export function refuseStaleGraphs(root: string, name: string): void {
  if (!existsSync(join(root, 'runbooks'))) return;
  const loaded = reachableGraphs(root, loadGraph(root, name));
  const compiled = new Map(compileTree(root).graphs.map((g) => [g.name, g]));
  for (const [graphName, graph] of loaded) {
    const source = compiled.get(graphName);
    const path = `generated/graphs/${graphName}.json`;
    if (!source) {
      throw new RunRefused(
        `${path} has no runbook under runbooks/ that compiles to it (removed, renamed, or with errors): refusing to run it`,
        'run `runbook validate` and `runbook compile`, and review the change',
      );
    }
    if (graphHash(source) !== graphHash(graph)) {
      throw new RunRefused(
        `${path} differs from what runbooks/ compiles to (edited by hand, or not regenerated): refusing to run it`,
        'run `runbook compile` and review the diff of generated/ (CI runs `runbook compile --check`)',
      );
    }
  }
}
