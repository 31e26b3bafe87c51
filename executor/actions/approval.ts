import { parseDuration } from '../../ir/duration.js';
import type { IrApproval } from '../../ir/types.js';
import { ActionError } from '../core/errors.js';
import type { ActionDefinition } from './action.js';

/** `with` of `approval` (schemas/actions/approval.schema.json), rendered: numbers and booleans may arrive as text. */
export type ApprovalParams = {
  message: string;
  approvers?: string[];
  required?: number | string;
  selfApproval?: boolean | string;
  /** Only the literal boolean from the compiled policy: a rendered text never turns it on. */
  allowUnsigned?: boolean;
  /** A duration (`30m`) or milliseconds. */
  timeout?: string | number;
  /** A duration (`10m`) or milliseconds: how long a GitHub gate waits in the job before the run parks. */
  parkAfter?: string | number;
};

export type ApprovalResult = { approved: true; approvedBy: string[] };

type Policy = {
  approvers: string[];
  required: number;
  selfApproval: boolean;
  allowUnsigned: boolean;
  timeoutMs?: number;
  parkAfterMs?: number;
  message: string;
};

/**
 * `approval`: asks the approval gate (terminal, approvals file, GitHub) for M-of-N approvals.
 * Fields the step leaves out come from the runbook's `spec.approvals` (the graph's `approvals`),
 * as the compiler does for step-level gates. A refusal fails the step without retry: the same
 * question would get the same answer. Grants and refusals are audited by the gate, which knows
 * who answered and through which source.
 */
export const approvalAction: ActionDefinition<ApprovalParams, ApprovalResult> = {
  id: 'approval',
  async run(params, ctx) {
    const policy = policyOf(params, ctx.services.graph.approvals);
    const answer = await ctx.services.approvals.request({ stepId: ctx.step.id, ...policy, signal: ctx.signal });
    if (!answer.approved) {
      throw new ActionError(`approval refused: ${ctx.secrets.mask(answer.reason)}`, {
        code: 'approval-refused',
      });
    }
    return { approved: true, approvedBy: answer.approvedBy };
  },
  plan(params, ctx) {
    const policy = policyOf(params, ctx.graph.approvals);
    const message = ctx.secrets.mask(policy.message);
    const who = policy.approvers.length ? policy.approvers.join(', ') : 'any allowed approver';
    return {
      summary: `approval: ${policy.required} of ${who}${policy.selfApproval ? '' : ', not the initiator'}${policy.allowUnsigned ? ', unsigned local approvals accepted (unverified)' : ''} — ${message}`,
      calls: [{ target: 'approvals', operation: 'request', args: { ...policy, message } }],
    };
  },
};

function policyOf(params: ApprovalParams, defaults: IrApproval | undefined): Policy {
  const bad = (message: string) => new ActionError(`approval: ${message}`, { code: 'bad-params' });
  const required = params.required === undefined ? (defaults?.required ?? 1) : Number(params.required);
  if (!Number.isInteger(required) || required < 1)
    throw bad(`required must be a whole number ≥ 1, got ${JSON.stringify(params.required)}`);
  let selfApproval = defaults?.selfApproval ?? false;
  if (typeof params.selfApproval === 'boolean') selfApproval = params.selfApproval;
  else if (params.selfApproval !== undefined) {
    const text = params.selfApproval.trim().toLowerCase();
    if (text !== 'true' && text !== 'false')
      throw bad(`selfApproval must be true or false, got ${JSON.stringify(params.selfApproval)}`);
    selfApproval = text === 'true';
  }
  let timeoutMs = defaults?.timeoutMs;
  if (params.timeout !== undefined && params.timeout !== '') {
    timeoutMs = typeof params.timeout === 'number' ? params.timeout : parseDuration(params.timeout.trim());
    if (timeoutMs === undefined || !(timeoutMs > 0))
      throw bad(`timeout must be a duration like 30m, got ${JSON.stringify(params.timeout)}`);
  }
  // The schema checked the duration; the graph's default applies when the step gives none.
  const parkAfterMs =
    typeof params.parkAfter === 'number'
      ? params.parkAfter
      : params.parkAfter
        ? parseDuration(params.parkAfter.trim())
        : defaults?.parkAfterMs;
  return {
    approvers: [...(params.approvers ?? defaults?.approvers ?? [])],
    required,
    selfApproval,
    // An input must never be able to lower the bar: only a literal `true` (schema: boolean) counts.
    allowUnsigned:
      params.allowUnsigned === true || (params.allowUnsigned === undefined && defaults?.allowUnsigned === true),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(parkAfterMs !== undefined ? { parkAfterMs } : {}),
    message: params.message,
  };
}
