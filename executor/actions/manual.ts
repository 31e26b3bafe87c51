import type { IrGraph } from '../../ir/types.js';
import { ActionError } from '../core/errors.js';
import type { ActionDefinition } from './action.js';
import type { ManualParams, ManualResult } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { ManualParams };

/** Result of this action, generated from its `x-result` (common/actions-catalog/types.generated.ts). */
export type { ManualResult };

/**
 * `manual`: shows the instruction and its assignee (the Directory role with its people) and waits
 * for a person to confirm, with evidence (a note or link) unless `evidence: false`. A refusal or
 * missing evidence fails the step without retry: asking again is the operator's call (resume).
 * Evidence is masked: a pasted link can carry a token.
 */
export const manualAction: ActionDefinition<ManualParams, ManualResult> = {
  id: 'manual',
  async run(params, ctx) {
    const needsEvidence = evidenceRequired(params.evidence);
    const assignee = params.assignee !== undefined ? describeAssignee(params.assignee, ctx.services.graph) : undefined;
    ctx.log.info(`waiting for ${assignee ?? 'confirmation'}`);
    const answer = await ctx.services.confirmer.confirm({
      stepId: ctx.step.id,
      question: params.instruction,
      ...(assignee !== undefined ? { assignee } : {}),
      evidence: needsEvidence,
      signal: ctx.signal,
    });
    if (!answer.confirmed) {
      throw new ActionError(`not confirmed${answer.by ? ` by ${answer.by}` : ''}`, {
        code: 'not-confirmed',
      });
    }
    const evidence = answer.evidence?.trim() ? ctx.secrets.mask(answer.evidence.trim()) : null;
    if (needsEvidence && evidence === null) {
      throw new ActionError(`confirmed by ${answer.by} without evidence (a note or link is required)`, {
        code: 'no-evidence',
      });
    }
    return { confirmedBy: answer.by, evidence };
  },
  plan(params, ctx) {
    const assignee = params.assignee !== undefined ? describeAssignee(params.assignee, ctx.graph) : 'anyone';
    const instruction = ctx.secrets.mask(params.instruction);
    const first = instruction.split('\n')[0];
    return {
      summary: `manual (${assignee}): ${first.length > 100 ? `${first.slice(0, 99)}…` : first}`,
      calls: [
        {
          target: 'confirmer',
          operation: 'confirm',
          args: { instruction, assignee, evidence: evidenceRequired(params.evidence) },
        },
      ],
    };
  },
};

function evidenceRequired(value: boolean | string | undefined): boolean {
  if (value === undefined || typeof value === 'boolean') return value ?? true;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ActionError(`manual: evidence must be true or false, got ${JSON.stringify(value)}`, {
    code: 'bad-params',
  });
}

/** "Incident commander (John Doe, backup Jane Smith)"; the role id when the graph does not know it. */
export function describeAssignee(role: string, graph: IrGraph): string {
  if (!Object.hasOwn(graph.resources.roles, role)) return role;
  const { title, primary, backup } = graph.resources.roles[role];
  const people = [primary?.name, backup ? `backup ${backup.name}` : undefined].filter(Boolean).join(', ');
  return `${title ?? role}${people ? ` (${people})` : ''}`;
}
