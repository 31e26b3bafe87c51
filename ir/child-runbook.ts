import type { IrNode } from './types.js';

/** The runbook a `uses: runbook` step runs, or undefined for any other step. */
export function childName(node: IrNode): string | undefined {
  const name = node.uses === 'runbook' ? (node.with as { runbook?: unknown }).runbook : undefined;
  return typeof name === 'string' ? name : undefined;
}
