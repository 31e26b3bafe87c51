import { canonicalJson, sha256 } from './canonical-json.js';
import { childName } from './child-runbook.js';
import type { IrGraph } from './types.js';

/**
 * SHA-256 of what a graph would run: the canonical graph without where it was written (source
 * positions, origin file and format), so moving or reformatting a runbook keeps its approvals.
 */
export function graphHash(graph: Omit<IrGraph, 'planHash'> | IrGraph): string {
  const { planHash: _ignored, origin: _origin, ...rest } = graph as IrGraph & { $comment?: string };
  const { $comment: _c, ...clean } = rest as typeof rest & { $comment?: string };
  const stripped = { ...clean, nodes: clean.nodes.map(({ source: _s, ...n }) => n) };
  return sha256(canonicalJson(stripped));
}

/** How a run acts: for real, as a drill (against drill targets, marked so), or as a dry run. */
export type RunMode = 'live' | 'drill' | 'dry-run';

/** A dry run never acts, so it wins over drill. */
export function runModeOf(o: { readonly dryRun: boolean; readonly drill: boolean }): RunMode {
  return o.dryRun ? 'dry-run' : o.drill ? 'drill' : 'live';
}

/**
 * The graph hashes of every runbook a graph runs through `uses: runbook`, at any depth, by name.
 * `lookup` returns a child's graph (undefined when it has none: the caller reports that).
 */
export function childGraphHashes(
  graph: IrGraph,
  lookup: (name: string) => IrGraph | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (g: IrGraph): void => {
    for (const n of g.nodes) {
      const name = childName(n);
      if (name === undefined || name === graph.name || Object.hasOwn(out, name)) continue;
      const child = lookup(name);
      if (!child) continue;
      out[name] = child.planHash;
      visit(child);
    }
  };
  visit(graph);
  return out;
}

/**
 * The plan hash of a run: the graph's hash, the resolved inputs (secrets are never inputs), the
 * graphs of the child runbooks it runs, and the mode. Approvals are bound to it, so approving one
 * set of inputs does not approve another, an edited child runbook voids the parent's approvals,
 * and approving a drill or a dry run never approves the live run.
 */
export function runPlanHash(
  graph: IrGraph,
  inputs: Record<string, unknown>,
  o: { mode: RunMode; children: Record<string, string> },
): string {
  return sha256(canonicalJson({ graph: graph.planHash, inputs, mode: o.mode, children: o.children }));
}
