import type { NeedProblem } from '../graph/dependencies.js';
import { joinPointer } from '../load/source-map.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule, RunbookUnit } from './rule.js';

/**
 * `unknown-need`, `self-need`, `forward-need`: the problems `resolveDependencies` found while
 * reading `needs:`, each reported at the exact list entry.
 */
export const needsRule: Rule = {
  id: 'needs',
  codes: ['unknown-need', 'self-need', 'forward-need'],
  docs: '`needs:` names existing steps of the same or an earlier phase, other than the step itself.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const problem of unit.deps.problems) {
        const { message, hint } = describeProblem(problem, unit);
        ctx.report(
          unit.doc,
          joinPointer(problem.ref.pointer, 'needs', problem.needIndex),
          problem.kind,
          message,
          hint ? { hint } : {},
        );
      }
    }
  },
};

function describeProblem(problem: NeedProblem, unit: RunbookUnit): { message: string; hint?: string } {
  const { name, ref } = problem;
  switch (problem.kind) {
    case 'self-need':
      return { message: `step "${name}" needs itself`, hint: 'remove it from needs:' };
    case 'forward-need': {
      const target = unit.deps.byId.get(name);
      const phase = target ? ` (phase "${target.phase.id}")` : '';
      return {
        message: `step "${ref.step.id}" needs "${name}"${phase}, which belongs to a later phase`,
        hint: 'phases run in order: move one of the steps, or drop the dependency',
      };
    }
    case 'unknown-need': {
      const guess = didYouMean(name, [...unit.deps.byId.keys()]);
      return {
        message: `step "${ref.step.id}" needs "${name}", which is not a step of this runbook`,
        ...(guess ? { hint: `did you mean "${guess}"?` } : {}),
      };
    }
  }
}
