import type { IrNode } from './types.js';

/**
 * The runbook a `uses: runbook` step runs, or undefined for any other step.
 *
 * This is the one action id check left outside the catalogue (common/actions-catalog/, where the
 * schema says the same thing as `"x-references": { "runbook": "Runbook" }`), on purpose: ir/ is
 * the contract between compiler and executor and imports no other layer, and the plan hash
 * (plan-hash.ts) needs the children of a graph from the IR alone. The catalogue reads the schemas
 * from disk, which ir/ never does. test/ir/child-runbook.test.ts holds the two to the same answer
 * for every action of the catalogue, so a second action naming a Runbook fails there first.
 */
export function childName(node: IrNode): string | undefined {
  const name = node.uses === 'runbook' ? (node.with as { runbook?: unknown }).runbook : undefined;
  return typeof name === 'string' ? name : undefined;
}
