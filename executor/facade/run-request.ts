import type { IrGraph } from '../../ir/types.js';
import type { RunRequestVerification } from '../github/verify-run-request.js';

export { auditRunRequest } from '../github/audit-run-request.js';

/** Who may approve a run request for this runbook: its approvals block, else its owner. */
export function runRequestPolicy(graph: IrGraph) {
  const a = graph.approvals;
  return {
    approvers: a?.approvers.length ? a.approvers : graph.owner ? [graph.owner] : [],
    required: a?.required ?? 1,
    selfApproval: a?.selfApproval ?? false,
  };
}

/**
 * Checks the merged pull request that added a run request through the GitHub API (approving
 * reviews by allowed approvers on the merged head commit, none by the author or initiator, none
 * dismissed, the plan hash in the reviewed plan comment equal to `planHash`).
 */
export async function verifyRunRequest(o: {
  env: NodeJS.ProcessEnv;
  graph: IrGraph;
  mergeSha: string;
  requestFile: string;
  planHash: string;
  initiator: string;
}): Promise<{ verification: RunRequestVerification; policy: ReturnType<typeof runRequestPolicy> }> {
  // The GitHub client (Octokit) loads only when a run request is verified.
  const { githubClient } = await import('../github/client.js');
  const { verifyRunRequestApprovals } = await import('../github/verify-run-request.js');
  const gh = githubClient(o.env);
  const policy = runRequestPolicy(o.graph);
  const verification = await verifyRunRequestApprovals({
    octokit: gh.octokit,
    repo: gh.repo,
    mergeSha: o.mergeSha,
    requestFile: o.requestFile,
    planHash: o.planHash,
    policy,
    members: o.graph.resources.approvers,
    initiator: o.initiator,
    botLogin: gh.bot,
    ...(gh.membersOctokit ? { membersOctokit: gh.membersOctokit } : {}),
  });
  return { verification, policy };
}
