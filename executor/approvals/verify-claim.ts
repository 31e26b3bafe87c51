import type { RunMode } from '../../ir/plan-hash.js';
import { approvalMessage } from './approval-message.js';
import type { ApprovalClaim, ApprovalPolicy } from './policy.js';
import type { SignatureVerifier } from './signature-verifier.js';

/** How a local approval that passed the policy was authenticated: by a signature, or not at all. */
export type Authenticity = { readonly verified: true; readonly key?: string } | { readonly verified: false };

/**
 * Whether a local claim (terminal or approvals file) that passed judgeClaim is authentic. A signed
 * claim must verify, for this person, over this run's plan hash, the claim's step and this run's
 * mode: the message is rebuilt from what the run knows, never taken from the file, so a signature
 * given for another step, plan or mode does not verify. An unsigned claim counts, as unverified,
 * only where the gate allows unsigned approvals.
 */
export async function authenticateClaim(o: {
  claim: ApprovalClaim;
  login: string;
  policy: ApprovalPolicy;
  planHash: string;
  mode: RunMode;
  signers: Readonly<Record<string, readonly string[]>>;
  verifier: SignatureVerifier;
}): Promise<Authenticity | { reason: string }> {
  const { claim } = o;
  if (claim.signature === undefined) {
    return o.policy.allowUnsigned
      ? { verified: false }
      : {
          reason:
            'unsigned: this gate accepts only approvals signed with a key the Directory lists for the approver (runbook approve), or GitHub approvals',
        };
  }
  if (claim.mode !== undefined && claim.mode !== o.mode)
    return { reason: `signed for a ${claim.mode} run, but this run is ${o.mode}` };
  const keys = Object.hasOwn(o.signers, o.login) ? o.signers[o.login] : [];
  const message = approvalMessage({ planHash: o.planHash, step: claim.step, login: o.login, mode: o.mode });
  const verdict = await o.verifier.verify({ message, signature: claim.signature, login: o.login, keys });
  return verdict.ok ? { verified: true, ...(verdict.key ? { key: verdict.key } : {}) } : { reason: verdict.reason };
}
