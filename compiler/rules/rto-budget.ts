import { formatDuration as fmt } from '../../ir/duration.js';
import { graphOf } from '../graph/build-graph.js';
import type { Rule } from './rule.js';

/**
 * The RTO analysis as findings: an expected critical path over a phase budget or the runbook's
 * RTO is an error (the plan cannot meet its objective even when everything goes right); only the
 * worst case (timeouts × attempts + retry delays) being over is a warning.
 */
export const rtoBudgetRule: Rule = {
  id: 'rto-budget',
  codes: ['budget-exceeded', 'rto-exceeded', 'budget-worst-case', 'rto-worst-case', 'missing-estimate'],
  docs: 'Checks each phase against its budget and the whole runbook against objectives.rto.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      // A broken graph has no meaningful critical path; its structural errors come first.
      if (unit.deps.cycles.length || unit.deps.problems.length) continue;
      const { rto } = graphOf(unit, ctx);
      const phases = unit.data.spec.phases;
      rto.phases.forEach((p, i) => {
        if (p.budgetMs === undefined) return;
        const at = `/spec/phases/${i}/budget`;
        const path = p.criticalPath.join(' → ');
        if (p.status === 'over') {
          ctx.report(
            unit.doc,
            at,
            'budget-exceeded',
            `phase "${p.id}" expects ${fmt(p.expectedMs)} on its critical path (${path}) but its budget is ${fmt(p.budgetMs)}`,
            { hint: 'shorten the critical path (run steps in parallel with needs:) or raise the budget' },
          );
        } else if (p.status === 'worst-case-over') {
          ctx.report(
            unit.doc,
            at,
            'budget-worst-case',
            `phase "${p.id}" can take up to ${fmt(p.worstCaseMs)} when steps hit their timeouts and retries; its budget is ${fmt(p.budgetMs)}`,
            { hint: 'lower timeouts or retry attempts on the critical path' },
          );
        }
        phases[i].steps.forEach((s, si) => {
          if (s.estimate === undefined) {
            ctx.report(
              unit.doc,
              `/spec/phases/${i}/steps/${si}/id`,
              'missing-estimate',
              `step "${s.id}" has no estimate; it counts as 0 against the budget of phase "${p.id}"`,
            );
          }
        });
      });
      if (rto.rtoMs === undefined) continue;
      const at = '/spec/objectives/rto';
      if (rto.status === 'over') {
        ctx.report(
          unit.doc,
          at,
          'rto-exceeded',
          `the expected critical path takes ${fmt(rto.expectedMs)} but the RTO is ${fmt(rto.rtoMs)}`,
          { hint: `critical path: ${rto.criticalPath.join(' → ')}` },
        );
      } else if (rto.status === 'worst-case-over') {
        ctx.report(
          unit.doc,
          at,
          'rto-worst-case',
          `in the worst case the runbook takes ${fmt(rto.worstCaseMs)}, over its RTO of ${fmt(rto.rtoMs)}`,
        );
      }
    }
  },
};
