import type { IrNode } from '../../../ir/types.js';
import { actionCatalog } from '../../../common/actions-catalog/index.js';

/**
 * What happens to a step caught mid-flight by a crash, in words, instead of "Idempotent: no":
 * a read-only action (`x-side-effects: false` in its schema: a describe call, a health check, a
 * gate) changes nothing, so it simply runs again whatever its `idempotent` says; an idempotent
 * step runs again too; any other step is "in doubt" and an operator decides on resume
 * (docs/format-reference.md, resume).
 */
export function rerunText(node: Pick<IrNode, 'uses' | 'idempotent'>): string {
  if (isReadOnly(node.uses)) return 'read-only, runs again on resume';
  if (node.idempotent) return 'idempotent, runs again on resume';
  return 'may have acted: on resume an operator decides (re-run, skip or abort)';
}

/** Whether the action only reads (its schema says `x-side-effects: false`). */
export function isReadOnly(uses: string): boolean {
  return actionCatalog().get(uses)?.sideEffects === false;
}
