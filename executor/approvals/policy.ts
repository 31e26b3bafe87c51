import { personLogin, teamHandle } from '../../ir/handle.js';
import type { RunMode } from '../../ir/plan-hash.js';

/** The policy an approval must satisfy (ARCHITECTURE.md, "Approvals"). */
export interface ApprovalPolicy {
  readonly approvers: readonly string[];
  readonly required: number;
  readonly selfApproval: boolean;
  /** Whether an unsigned local approval (terminal, approvals file without signature) counts, as unverified. */
  readonly allowUnsigned?: boolean;
}

export interface ApprovalClaim {
  readonly approver: string;
  readonly planHash: string;
  /** The step the claim is for, or `*` for every gate of the run. */
  readonly step: string;
  /** The mode the approver says they approve (informational: the plan hash and the signature bind it). */
  readonly mode?: RunMode;
  /** An armoured `ssh-keygen -Y sign` signature over approvalMessage(…), when signed. */
  readonly signature?: string;
}

/** A claim that counts: who it is, in canonical form, so one person counts once. */
export interface Accepted {
  readonly login: string;
}

/**
 * Whether a claim counts: `{ login }` when it does, else `{ reason }`. The approver must be a
 * person (a GitHub login; a team is never an identity), one of the allowed users or a member of an
 * allowed team (memberships resolved at compile time, so the graph says exactly who may
 * approve), not the initiator unless self-approval is allowed, and must have approved this exact
 * plan. A policy with no approvers accepts nobody: the compiler refuses it, and a hand-made graph
 * must not turn it into "anyone".
 */
export function judgeClaim(o: {
  claim: ApprovalClaim;
  stepId: string;
  policy: ApprovalPolicy;
  initiator: string;
  planHash: string;
  members: Readonly<Record<string, readonly string[]>>;
}): Accepted | { reason: string } {
  const { claim, policy } = o;
  if (claim.step !== '*' && claim.step !== o.stepId) return { reason: `given for step ${claim.step}, not ${o.stepId}` };
  if (claim.planHash !== o.planHash)
    return {
      reason: `given for plan ${claim.planHash.slice(0, 12)}, but this run's plan is ${o.planHash.slice(0, 12)}`,
    };
  if (teamHandle(claim.approver)) return { reason: `${claim.approver} is a team: only a person can approve` };
  const who = personLogin(claim.approver);
  if (!who) return { reason: `${JSON.stringify(claim.approver)} is not a GitHub login` };
  if (!policy.selfApproval && who === personLogin(o.initiator))
    return { reason: `${claim.approver} started this run and cannot approve it (selfApproval is false)` };
  if (policy.approvers.length === 0) return { reason: 'this approval lists no approvers, so nobody can approve it' };
  return isAllowed(who, policy.approvers, o.members)
    ? { login: who }
    : { reason: `${claim.approver} is not among the allowed approvers (${policy.approvers.join(', ')})` };
}

/** `who` is listed as a person, or is a member of a listed team. */
function isAllowed(
  who: string,
  approvers: readonly string[],
  members: Readonly<Record<string, readonly string[]>>,
): boolean {
  return approvers.some((entry) =>
    teamHandle(entry) ? (members[entry] ?? []).some((m) => personLogin(m) === who) : personLogin(entry) === who,
  );
}

/** Why a claim does not count, or undefined when it does (see judgeClaim). */
export function refusalReason(o: Parameters<typeof judgeClaim>[0]): string | undefined {
  const verdict = judgeClaim(o);
  return 'reason' in verdict ? verdict.reason : undefined;
}
