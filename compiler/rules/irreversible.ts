import { joinPointer } from '../load/source-map.js';
import type { StepRef } from '../graph/dependencies.js';
import type { Rule, RunbookUnit } from './rule.js';
import { isGate } from '../../common/actions-catalog/index.js';

/**
 * Irreversible steps are points of no return: they cannot be compensated (`rollback` is
 * contradictory) and should not be reached without a human having approved the run.
 */
export const irreversibleRule: Rule = {
  id: 'irreversible',
  codes: ['rollback-on-irreversible', 'irreversible-without-approval'],
  docs: 'A step marked `irreversible: true` has no `rollback`, and some approval gate (runbook approvals or environment, its own approval, or an approval ancestor) precedes it.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      // Lowered BackupPlans are generated: their steps are not the author's to annotate.
      if (unit.loweredFrom) continue;
      for (const ref of unit.deps.steps) {
        if (ref.step.irreversible !== true) continue;
        if (ref.step.rollback !== undefined) {
          ctx.report(
            unit.doc,
            joinPointer(ref.pointer, 'rollback'),
            'rollback-on-irreversible',
            `step "${ref.step.id}" is irreversible but has a rollback`,
            { key: true, hint: 'remove the rollback, or drop irreversible: true if the step can be undone' },
          );
        }
        if (!gated(unit, ref)) {
          ctx.report(
            unit.doc,
            joinPointer(ref.pointer, 'irreversible'),
            'irreversible-without-approval',
            `irreversible step "${ref.step.id}" runs without an approval gate before it`,
            {
              key: true,
              hint: 'add approval: { approvers: [...] } to the step, an approval step before it, or spec.approvals',
            },
          );
        }
      }
    }
  },
};

/** True when some approval is guaranteed to happen before `ref` starts. */
function gated(unit: RunbookUnit, ref: StepRef): boolean {
  const spec = unit.data.spec;
  // A GitHub environment gates the whole run with its required reviewers.
  if (spec.approvals !== undefined || spec.environment !== undefined || ref.step.approval !== undefined) return true;
  return unit.deps.steps.some(
    ({ step }) => (isGate(step.uses) || step.approval !== undefined) && unit.deps.isAncestor(step.id, ref.step.id),
  );
}
