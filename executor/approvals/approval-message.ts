import type { RunMode } from '../../ir/plan-hash.js';

/**
 * The namespace of approval signatures (`ssh-keygen -Y sign -n …`): a signature made for git
 * commits (`git`) or files (`file`) never verifies as an approval, and the reverse.
 */
export const approvalNamespace = 'runbook-approval';

/** What an approver signs: one run plan, one step (or `*`, every gate of that plan), one person, one mode. */
export interface SignedApprovalFields {
  readonly planHash: string;
  readonly step: string;
  /** The approver's normalised GitHub login (`dana-lee`: no `@`, lower case). */
  readonly login: string;
  readonly mode: RunMode;
}

/**
 * The exact bytes signed and verified: four `key: value` lines under a version line, each ending in
 * a line feed (docs/format-reference.md, "Signed approvals"). Plain text rather than JSON so an
 * approver can read what they sign, and with one canonical form: the login is normalised before,
 * and no field can hold a line break (plan hashes are hex, steps and logins are ids, modes a
 * closed set), so two different approvals never sign the same bytes.
 */
export function approvalMessage(f: SignedApprovalFields): string {
  return `runbook-approval/v1\nplan: ${f.planHash}\nstep: ${f.step}\napprover: ${f.login}\nmode: ${f.mode}\n`;
}
