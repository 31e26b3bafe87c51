import { joinPointer } from '../load/source-map.js';
import type { Rule } from './rule.js';
import { isGate } from '../../common/actions-catalog/index.js';

/**
 * `approval-without-approvers`: an approval gate must name who may approve. Without approvers
 * (on the gate, and no `spec.approvals.approvers` to inherit) there is nobody to count, and the
 * executor refuses every claim; the author meant someone, so say so before the run.
 */
export const approversRule: Rule = {
  id: 'approvers',
  codes: ['approval-without-approvers'],
  docs: 'Every approval gate (`uses: approval`, a step `approval:`, `spec.approvals`) names at least one approver, on itself or inherited from `spec.approvals`.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      if (unit.loweredFrom) continue;
      const { spec } = unit.data;
      const inherited = nonEmpty(spec.approvals?.approvers);
      if (spec.approvals !== undefined && !inherited) {
        ctx.report(unit.doc, '/spec/approvals', 'approval-without-approvers', 'spec.approvals lists no approvers', {
          key: true,
          hint: 'add approvers: ["@org/team", "@person"]',
        });
      }
      for (const { step, pointer } of unit.deps.steps) {
        if (step.approval !== undefined && !nonEmpty(step.approval.approvers) && !inherited) {
          ctx.report(
            unit.doc,
            joinPointer(pointer, 'approval'),
            'approval-without-approvers',
            `the approval of step "${step.id}" lists no approvers`,
            { key: true, hint: 'add approvers: [...] here or in spec.approvals' },
          );
        }
        if (isGate(step.uses) && !nonEmpty(step.with?.approvers) && !inherited) {
          ctx.report(
            unit.doc,
            joinPointer(pointer, 'uses'),
            'approval-without-approvers',
            `approval step "${step.id}" lists no approvers`,
            { key: true, hint: 'add with.approvers: [...] or spec.approvals.approvers' },
          );
        }
      }
    }
  },
};

function nonEmpty(list: unknown): boolean {
  return Array.isArray(list) && list.length > 0;
}
