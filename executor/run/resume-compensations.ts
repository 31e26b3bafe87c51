import type { IrGraph, IrNode } from '../../ir/types.js';
import { RunRefused } from '../core/errors.js';
import { decideCompensation } from '../run-state/apply-run.js';
import type { RunState } from '../run-state/state.js';
import { nodeAt } from './resume-nested.js';
import type { ResumeState } from './resume-state.js';

type Decision = 'rerun' | 'skip' | 'abort';

/**
 * Compensations the run died in (`rollback:compensate` without its `rollback:step`). A rollback
 * body is never assumed idempotent (undoing twice is how a second outage starts), so an operator
 * decides each, named `rollback:<step>`: `skip` when they checked it completed (the step is
 * undone, and runs again like any compensated step), `rerun` when it did not (the step stays done
 * and is compensated again if the run rolls back again), or `abort`. Applied to `run` (its
 * `done` and rollback data), before the resume reads them.
 */
export async function decideCompensations(
  o: { root: string; runId: string; by: string; decide: (node: IrNode) => Promise<Decision> },
  graph: IrGraph,
  run: RunState,
): Promise<ResumeState['decisions']> {
  const decisions: ResumeState['decisions'] = [];
  for (const stepId of [...run.compensating]) {
    const node = nodeAt(o.root, graph, stepId)?.node;
    if (!node?.rollback) continue;
    const id = `rollback:${stepId}`;
    const decision = await o.decide({ ...node, ...node.rollback, id, idempotent: false });
    decisions.push({ stepId: id, decision, by: o.by });
    if (decision === 'abort')
      throw new RunRefused(`resume of ${o.runId} aborted at the in-doubt rollback of ${stepId}`);
    decideCompensation(run, stepId, decision);
  }
  return decisions;
}
