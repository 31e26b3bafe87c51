import type { ApprovalPolicy } from '../approvals/policy.js';
import type { EventSink } from '../core/events.js';
import type { RunRequestVerification } from './verify-run-request.js';

/** The pseudo step id under which a run request's pull-request approvals are audited. */
export const RUN_REQUEST_STEP = 'run-request';

/**
 * Writes a run request's verification into the audit log: one `approval:granted` per valid
 * review (source `github-review`, reference = the review's URL, naming the PR, review id and
 * commit), one `approval:refused` per refusal, so `runbook audit show` can tell who approved
 * what. Call it right after `run:start` and before any step, then refuse the run if `!v.ok`.
 */
export async function auditRunRequest(
  events: EventSink,
  v: RunRequestVerification,
  o: { planHash: string; policy: ApprovalPolicy; now?: () => Date },
): Promise<void> {
  const { required } = o.policy;
  await events.emit('approval:requested', {
    stepId: RUN_REQUEST_STEP,
    approvers: [...o.policy.approvers],
    required,
    message: v.pr
      ? `run request merged in #${v.pr.number} (${v.pr.url}) at ${v.pr.mergeCommitSha}`
      : 'run request without a merged pull request',
  });
  let count = 0;
  for (const r of v.reviewers) {
    count += 1;
    await events.emit('approval:granted', {
      stepId: RUN_REQUEST_STEP,
      count,
      required,
      approval: {
        approver: r.login,
        source: 'github-review',
        planHash: v.planComment?.planHash ?? o.planHash,
        at: r.submittedAt ?? (o.now?.() ?? new Date()).toISOString(),
        reference: `${v.pr?.url ?? ''}#pullrequestreview-${r.reviewId} commit=${r.commitId} via=${r.via}`,
        via: r.via,
        membership: r.membership,
      },
    });
  }
  for (const r of v.refusals) {
    await events.emit('approval:refused', {
      stepId: RUN_REQUEST_STEP,
      source: 'github-review',
      reason: `[${r.code}]${r.reviewId !== undefined ? ` review ${r.reviewId}:` : ''} ${r.reason}`,
      ...(r.login ? { approver: r.login } : {}),
      ...(r.membership ? { membership: r.membership } : {}),
    });
  }
}
