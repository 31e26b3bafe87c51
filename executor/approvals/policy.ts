/** The policy an approval must satisfy (ARCHITECTURE.md, "Approvals"). */
export interface ApprovalPolicy {
  readonly approvers: readonly string[];
  readonly required: number;
  readonly selfApproval: boolean;
}

export interface ApprovalClaim {
  readonly approver: string;
  readonly planHash: string;
  /** The step the claim is for, or `*` for every gate of the run. */
  readonly step: string;
}

const norm = (h: string) => (h.startsWith('@') ? h : `@${h}`).toLowerCase();

/**
 * Why a claim does not count, or undefined when it does: the approver must be one of the allowed
 * users or a member of an allowed team (memberships resolved at compile time, so the graph says
 * exactly who may approve), must not be the initiator unless self-approval is allowed, and must
 * have approved this exact plan.
 */
export function refusalReason(o: {
  claim: ApprovalClaim; stepId: string; policy: ApprovalPolicy; initiator: string; planHash: string;
  members: Readonly<Record<string, readonly string[]>>;
}): string | undefined {
  const { claim, policy } = o;
  if (claim.step !== '*' && claim.step !== o.stepId) return `given for step ${claim.step}, not ${o.stepId}`;
  if (claim.planHash !== o.planHash) return `given for plan ${claim.planHash.slice(0, 12)}, but this run's plan is ${o.planHash.slice(0, 12)}`;
  const who = norm(claim.approver);
  if (!policy.selfApproval && who === norm(o.initiator)) return `${claim.approver} started this run and cannot approve it (selfApproval is false)`;
  if (policy.approvers.length === 0) return undefined;
  const allowed = policy.approvers.some((entry) => norm(entry) === who || (o.members[entry] ?? []).some((m) => norm(m) === who));
  return allowed ? undefined : `${claim.approver} is not among the allowed approvers (${policy.approvers.join(', ')})`;
}
