import { canonicalJson } from '../../ir/canonical-json.js';
import type { IrNode } from '../../ir/types.js';

/** A step as the plan comment names it. */
export interface StepRef {
  readonly id: string;
  readonly phase: string;
  readonly title: string;
  readonly uses: string;
}

/** A step in both graphs whose definition differs; `fields` are the IR fields that changed. */
export interface StepChange extends StepRef {
  readonly fields: string[];
}

/** Steps added, removed and changed between two graphs of one runbook. */
export interface StepsDiff {
  /** In head's graph order. */
  readonly added: StepRef[];
  /** In base's graph order. */
  readonly removed: StepRef[];
  /** In head's graph order. */
  readonly changed: StepChange[];
}

/**
 * Steps compared by id. `source` (where the step is written) is ignored, as in the plan hash:
 * moving a step in the file, or reformatting it, changes nothing that runs.
 */
export function diffSteps(before: readonly IrNode[], after: readonly IrNode[]): StepsDiff {
  const b = new Map(before.map((n) => [n.id, n]));
  const a = new Map(after.map((n) => [n.id, n]));
  const changed: StepChange[] = [];
  for (const node of after) {
    const old = b.get(node.id);
    if (!old) continue;
    const fields = changedFields(old, node);
    if (fields.length) changed.push({ ...ref(node), fields });
  }
  return {
    added: after.filter((n) => !b.has(n.id)).map(ref),
    removed: before.filter((n) => !a.has(n.id)).map(ref),
    changed,
  };
}

function ref(node: IrNode): StepRef {
  return { id: node.id, phase: node.phase, title: node.title, uses: node.uses };
}

function changedFields(before: IrNode, after: IrNode): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== 'source').sort();
  const get = (n: IrNode, k: string) => (n as unknown as Record<string, unknown>)[k];
  return keys.filter((k) => canonicalJson(get(before, k) ?? null) !== canonicalJson(get(after, k) ?? null));
}
