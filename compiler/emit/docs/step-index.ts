import type { IrGraph, IrNode } from '../../../ir/types.js';

/**
 * Step numbers as a reader says them: "2.3" is the third step of phase 2 (in the phase's
 * order, as the page lists them), and a stable anchor per step, made of its id, so links into a
 * page survive a renumbering or a new title.
 */
export interface StepIndex {
  /** `2.3`, or undefined for an id the graph does not have. */
  number(id: string): string | undefined;
  /** `step-promote-db`: the anchor of the step's heading. */
  anchor(id: string): string;
  node(id: string): IrNode | undefined;
}

export function stepIndex(graph: IrGraph): StepIndex {
  const numbers = new Map<string, string>();
  graph.phases.forEach((phase, i) => phase.steps.forEach((id, j) => numbers.set(id, `${i + 1}.${j + 1}`)));
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  return {
    number: (id) => numbers.get(id),
    anchor: (id) => `step-${id}`,
    node: (id) => nodes.get(id),
  };
}
