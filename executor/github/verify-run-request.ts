import type { ApprovalPolicy } from '../approvals/policy.js';
import { approverChecker, normLogin, type MembershipSource } from './approvers.js';
import type { GithubApi, RepoRef } from './client.js';
import { parseRunRequestMarkers, sameRequestFile } from './run-request-marker.js';

/** Why a review (or the whole request) does not count; closed, so tests and audits match codes. */
export type RunRequestRefusalCode =
  | 'no-merged-pr'
  | 'author'
  | 'self-approval'
  | 'not-allowed'
  | 'no-write-access'
  | 'older-commit'
  | 'dismissed'
  | 'changes-requested'
  | 'plan-comment-missing'
  | 'plan-hash-mismatch'
  | 'plan-commit-mismatch'
  | 'too-few-approvals';

/** One review or condition that did not pass, with its code and a specific reason. */
export interface RunRequestRefusal {
  readonly code: RunRequestRefusalCode;
  readonly reason: string;
  readonly login?: string;
  readonly reviewId?: number;
  /** For `not-allowed` and `no-write-access`: what decided the membership (see MembershipSource). */
  readonly membership?: MembershipSource;
}

/** A review that counts: who, which review, on which commit. */
export interface RunRequestReviewer {
  readonly login: string;
  readonly reviewId: number;
  readonly commitId: string;
  /** The allowed entry that admitted the reviewer (`@user`, `@org/team`). */
  readonly via: string;
  /** What decided the membership: the policy, GitHub's live team membership or the Directory. */
  readonly membership: MembershipSource;
  readonly url?: string;
  readonly submittedAt?: string;
}

/** The verdict on a run request: `ok`, the PR, the counted reviewers and every refusal. */
export interface RunRequestVerification {
  readonly ok: boolean;
  readonly pr?: {
    readonly number: number;
    readonly url: string;
    readonly author: string;
    readonly headSha: string;
    readonly mergeCommitSha: string;
  };
  readonly reviewers: RunRequestReviewer[];
  readonly refusals: RunRequestRefusal[];
  /** The bot plan comment whose plan hash was compared. */
  readonly planComment?: { readonly id: number; readonly url: string; readonly planHash: string };
}

/** The merged commit, the run request and the policy to check it against. */
export interface VerifyRunRequestOptions {
  readonly octokit: GithubApi;
  readonly repo: RepoRef;
  /** The commit the run-request workflow runs on (GITHUB_SHA of the push to the default branch). */
  readonly mergeSha: string;
  /** `runs/<yyyy-mm-dd>-<slug>.yaml`, as named in the plan comment's marker. */
  readonly requestFile: string;
  /** The plan hash about to run. */
  readonly planHash: string;
  readonly policy: ApprovalPolicy;
  /** The Directory's compiled team members (graph.resources.approvers): they decide without `membersOctokit`. */
  readonly members?: Readonly<Record<string, readonly string[]>>;
  /** A members-read client (RUNBOOK_GITHUB_MEMBERS_TOKEN): live team membership decides. */
  readonly membersOctokit?: GithubApi;
  readonly initiator: string;
  /**
   * The one bot whose plan comments count (`botLogin(env)`: RUNBOOK_GITHUB_BOT or
   * `github-actions[bot]`). Not asked with GET /user, which installation tokens may not call.
   */
  readonly botLogin?: string;
}

type Review = {
  id: number;
  state: string;
  commit_id: string | null;
  submitted_at?: string;
  html_url: string;
  user: { login: string } | null;
};
type Pull = {
  number: number;
  html_url: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { sha: string };
  user: { login: string } | null;
};

/**
 * Verifies, before the first step of a run request, that the merged pull request carried the
 * approvals the policy demands on exactly what runs: the latest review of each reviewer is
 * APPROVED (a later change request or a dismissal cancels it), on the merged head commit, by an
 * allowed approver (listed, or an active member of a listed team, checked live) who is neither
 * the PR author nor the initiator unless `selfApproval`; the bot's plan comment names this file
 * with this plan hash; and at least `required` distinct reviewers pass. Every rejected review
 * and every failed condition comes back as a refusal with a specific code, for the audit log.
 */
export async function verifyRunRequestApprovals(o: VerifyRunRequestOptions): Promise<RunRequestVerification> {
  const { owner, repo } = o.repo;
  const pulls = (await o.octokit.paginate(o.octokit.repos.listPullRequestsAssociatedWithCommit, {
    owner,
    repo,
    commit_sha: o.mergeSha,
    per_page: 100,
  })) as Pull[];
  // Only the PR this commit merged: a commit also belongs to open PRs built on top of it.
  const pull = pulls.find((p) => p.merged_at && p.merge_commit_sha === o.mergeSha);
  if (!pull) {
    const reason = `no merged pull request has ${o.mergeSha.slice(0, 12)} as its merge commit`;
    return { ok: false, reviewers: [], refusals: [{ code: 'no-merged-pr', reason }] };
  }
  const pr = {
    number: pull.number,
    url: pull.html_url,
    author: pull.user?.login ?? '',
    headSha: pull.head.sha,
    mergeCommitSha: o.mergeSha,
  };
  const refusals: RunRequestRefusal[] = [];
  const reviewers = await judgeReviews(o, pr, refusals);
  const planComment = await checkPlanComment(o, pr, refusals);
  if (reviewers.length < o.policy.required) {
    refusals.push({
      code: 'too-few-approvals',
      reason: `${o.policy.required} approving review(s) required from ${o.policy.approvers.join(', ') || 'anyone'}, ${reviewers.length} valid`,
    });
  }
  const blocking = refusals.some((r) =>
    ['too-few-approvals', 'plan-comment-missing', 'plan-hash-mismatch', 'plan-commit-mismatch'].includes(r.code),
  );
  return { ok: !blocking, pr, reviewers, refusals, ...(planComment ? { planComment } : {}) };
}

/** Each reviewer's latest review that gives or withdraws an approval, by normalised login. */
async function latestReviews(o: VerifyRunRequestOptions, pullNumber: number): Promise<Map<string, Review>> {
  const { owner, repo } = o.repo;
  const all = (await o.octokit.paginate(o.octokit.pulls.listReviews, {
    owner,
    repo,
    pull_number: pullNumber,
    per_page: 100,
  })) as Review[];
  // COMMENTED and PENDING reviews neither give nor withdraw an approval, as on GitHub itself.
  const latest = new Map<string, Review>();
  for (const r of [...all].sort(byTime)) {
    if (r.user && ['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'].includes(r.state))
      latest.set(normLogin(r.user.login), r);
  }
  return latest;
}

async function judgeReviews(
  o: VerifyRunRequestOptions,
  pr: NonNullable<RunRequestVerification['pr']>,
  refusals: RunRequestRefusal[],
): Promise<RunRequestReviewer[]> {
  const latest = await latestReviews(o, pr.number);
  const allowed = approverChecker({
    octokit: o.octokit,
    approvers: o.policy.approvers,
    members: o.members,
    membersOctokit: o.membersOctokit,
    repo: o.repo,
  });
  const out: RunRequestReviewer[] = [];
  for (const [who, r] of latest) {
    const refuse = (code: RunRequestRefusalCode, reason: string, membership?: MembershipSource) =>
      refusals.push({
        code,
        reason,
        login: `@${r.user!.login}`,
        reviewId: r.id,
        ...(membership ? { membership } : {}),
      });
    if (r.state === 'DISMISSED') refuse('dismissed', `review ${r.id} by @${who} was dismissed`);
    else if (r.state === 'CHANGES_REQUESTED')
      refuse('changes-requested', `@${who}'s latest review (${r.id}) requests changes`);
    else if (!o.policy.selfApproval && who === normLogin(pr.author))
      refuse('author', `@${who} opened the pull request and cannot approve it (selfApproval is false)`);
    else if (!o.policy.selfApproval && who === normLogin(o.initiator))
      refuse('self-approval', `@${who} initiates this run and cannot approve it (selfApproval is false)`);
    else if (r.commit_id !== pr.headSha) {
      refuse(
        'older-commit',
        `review ${r.id} by @${who} approved ${(r.commit_id ?? 'an unknown commit').slice(0, 12)}, not the merged head ${pr.headSha.slice(0, 12)}`,
      );
    } else {
      const verdict = await allowed(who);
      if (!verdict.allowed) refuse(verdict.code, verdict.reason, verdict.source);
      else
        out.push({
          login: `@${r.user!.login}`,
          reviewId: r.id,
          commitId: r.commit_id,
          via: verdict.via,
          membership: verdict.source,
          url: r.html_url,
          ...(r.submitted_at ? { submittedAt: r.submitted_at } : {}),
        });
    }
  }
  return out;
}

const byTime = (a: Review, b: Review) => (a.submitted_at ?? '').localeCompare(b.submitted_at ?? '') || a.id - b.id;

type Comment = { id: number; html_url: string; body?: string; user: { login: string; type?: string } | null };

async function checkPlanComment(
  o: VerifyRunRequestOptions,
  pr: NonNullable<RunRequestVerification['pr']>,
  refusals: RunRequestRefusal[],
): Promise<RunRequestVerification['planComment']> {
  const { owner, repo } = o.repo;
  const bot = o.botLogin ?? 'github-actions[bot]';
  // Only the configured bot's comment counts: anyone can paste a marker into a comment of theirs,
  // and any app installed on the repository can comment as some other `[bot]`.
  const trusted = (c: Comment) => !!c.user && normLogin(c.user.login) === normLogin(bot);
  const comments = (await o.octokit.paginate(o.octokit.issues.listComments, {
    owner,
    repo,
    issue_number: pr.number,
    per_page: 100,
  })) as Comment[];
  let found: { id: number; url: string; planHash: string; commit?: string } | undefined;
  for (const c of comments.filter(trusted)) {
    for (const m of parseRunRequestMarkers(c.body ?? '')) {
      if (sameRequestFile(m.file, o.requestFile))
        found = { id: c.id, url: c.html_url, planHash: m.planHash, ...(m.commit ? { commit: m.commit } : {}) };
    }
  }
  if (!found) {
    refusals.push({
      code: 'plan-comment-missing',
      reason: `no plan comment by @${bot} names ${o.requestFile} on #${pr.number}: reviewers did not see a plan hash`,
    });
    return undefined;
  }
  if (found.planHash !== o.planHash) {
    refusals.push({
      code: 'plan-hash-mismatch',
      reason: `reviewers approved plan ${found.planHash.slice(0, 12)} (${found.url}), but the plan about to run is ${o.planHash.slice(0, 12)}`,
    });
  }
  if (found.commit && !pr.headSha.startsWith(found.commit)) {
    refusals.push({
      code: 'plan-commit-mismatch',
      reason: `the plan comment was computed for ${found.commit.slice(0, 12)}, not the merged head ${pr.headSha.slice(0, 12)}`,
    });
  }
  return { id: found.id, url: found.url, planHash: found.planHash };
}
