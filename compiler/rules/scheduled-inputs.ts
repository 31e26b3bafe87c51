import { joinPointer } from '../load/source-map.js';
import type { InputSpec } from '../model/specs.js';
import type { LoadedDoc } from '../load/loaded-doc.js';
import type { Rule, RuleContext } from './rule.js';

/**
 * A scheduled run passes no inputs: GitHub's `schedule` event has no `inputs` context, so every
 * `RUNBOOK_INPUT_*` of the workflow is empty and each input takes its default. A required input
 * without one would fail every scheduled run at its start, at night, with nobody watching; the
 * compiler says so at review time instead.
 */
export const scheduledInputsRule: Rule = {
  id: 'scheduled-inputs',
  codes: ['schedule-input-required'],
  docs: 'A scheduled Runbook or BackupPlan gives every required input a default: a scheduled run passes no inputs.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      if (!unit.loweredFrom && unit.data.spec.schedule !== undefined) checkInputs(ctx, unit.doc, unit.data.spec.inputs);
    }
    for (const plan of ctx.backupPlans) checkInputs(ctx, plan.doc, plan.data.spec.inputs);
  },
};

function checkInputs(ctx: RuleContext, doc: LoadedDoc, inputs: Record<string, InputSpec> | undefined): void {
  for (const [name, input] of Object.entries(inputs ?? {})) {
    if (!input?.required || input.default !== undefined) continue;
    ctx.report(
      doc,
      joinPointer('/spec/inputs', name),
      'schedule-input-required',
      `input "${name}" is required and has no default, but a scheduled run passes no inputs`,
      { hint: 'give it a default (a hand-started run can still set it), or drop `schedule`', key: true },
    );
  }
}
