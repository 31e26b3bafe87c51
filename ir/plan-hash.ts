import { canonicalJson, sha256 } from './canonical-json.js';
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

/**
 * The plan hash of a run: the graph's hash plus the resolved inputs (secrets are never inputs).
 * Approvals are bound to it, so approving one set of inputs does not approve another.
 */
export function runPlanHash(graph: IrGraph, inputs: Record<string, unknown>): string {
  return sha256(canonicalJson({ graph: graph.planHash, inputs }));
}
