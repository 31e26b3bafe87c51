import { githubClient } from '../github/client.js';
import { githubCommentGate } from '../github/comment-gate.js';
import { createAnchorCommentSink } from '../github/anchor-comment.js';
import { githubChannelSender } from '../github/notify-github.js';
import { openTrackingIssue } from '../github/tracking-issue.js';
import { planIssueNumber, planIssueStateSink } from '../github/plan-issue.js';
import type { RunOptions } from '../run/run-runbook.js';
import type { ApprovalGate } from '../actions/action.js';
import { gateWithinDeadline, jobDeadlineOf } from '../run/job-deadline.js';

import type { GithubRunRequest } from './github-run-request.js';

/** The GitHub side of a tracked run (see githubRunOptions); loaded only in GitHub mode. */
export async function trackedRunOptions(o: GithubRunRequest): Promise<Partial<RunOptions>> {
  const gh = githubClient(o.env);
  // A BackupPlan reports in its one reused issue (closed when green, reopened when red), not a new one per run.
  const plan =
    o.issueNumber === undefined && o.graph.origin.kind === 'BackupPlan'
      ? await planIssueNumber({
          octokit: gh.octokit,
          repo: gh.repo,
          plan: o.graph.name,
          title: `Backup plan ${o.graph.title}`,
        })
      : undefined;
  const issueNumber = o.parked?.trackingIssue?.number ?? o.issueNumber ?? plan;
  const issue = await openTrackingIssue({
    octokit: gh.octokit,
    repo: gh.repo,
    bot: gh.bot,
    runId: o.runId,
    title: `Run ${o.graph.title} (${o.runId})`,
    ...(issueNumber !== undefined ? { issueNumber } : {}),
    ...(gh.run.url ? { runUrl: gh.run.url } : {}),
  });
  process.stderr.write(`tracking issue: ${issue.url}\n`);
  // Gates stop waiting before GitHub ends the job (executor/run/job-deadline.ts).
  const deadline = jobDeadlineOf(o.env, Date.now());
  // A gate that can park (a database journal of record) parks long before the job's end instead.
  const canPark = o.auditDb !== undefined;
  const withinJob = (gate: ApprovalGate) =>
    deadline === undefined || canPark ? gate : gateWithinDeadline(gate, deadline);
  return {
    runId: o.runId,
    trackingIssue: { number: issue.issueNumber, url: issue.url },
    // The chain head at each gate and at the end, in a comment the run cannot rewrite after its token expires.
    extraSinks: [
      issue,
      createAnchorCommentSink({ octokit: gh.octokit, repo: gh.repo, issueNumber: issue.issueNumber, runId: o.runId }),
      ...(plan !== undefined ? [planIssueStateSink({ octokit: gh.octokit, repo: gh.repo, issueNumber: plan })] : []),
    ],
    channels: { github: githubChannelSender(issue) },
    approvalGate: ({ events, graph, planHash, masker }) =>
      withinJob(
        githubCommentGate({
          octokit: gh.octokit,
          repo: gh.repo,
          issueNumber: issue.issueNumber,
          runId: o.runId,
          planHash,
          initiator: o.parked?.initiator ?? o.initiator,
          events,
          canPark,
          ...(o.parked ? { parked: o.parked } : {}),
          members: graph.resources.approvers,
          mask: (s) => masker.mask(s),
          ...(gh.membersOctokit ? { membersOctokit: gh.membersOctokit } : {}),
        }),
      ),
  };
}
