import type { GithubApi, RepoRef } from './client.js';
import { conditionalListReader } from './conditional-list.js';

/** A gate command's carrier as the comment gate judges it: an issue comment or a pull request review. */
export interface GateMessage {
  /** A comment's id; a review's id negated, so the two id spaces never meet in the gate's maps. */
  id: number;
  html_url: string;
  body?: string | null;
  created_at: string;
  updated_at: string;
  user: { login: string } | null;
  /** Set for a review: its state (APPROVED, CHANGES_REQUESTED, COMMENTED). */
  review?: { state: string };
}

interface Review {
  id: number;
  html_url: string;
  body?: string | null;
  state: string;
  submitted_at?: string;
  user: { login: string } | null;
}

/**
 * The reviews of the gate's issue when it is a pull request (the run request's), as gate messages;
 * none for a plain issue. Whether it is a pull request is asked once: GET /pulls/{n} answers 404
 * for an issue number (https://docs.github.com/rest/pulls/pulls#get-a-pull-request), 403 to a job
 * token without pull-requests access.
 * PENDING reviews (drafts, not submitted) and DISMISSED ones are left out: a dismissed review
 * reads as a deleted comment, so its approval is withdrawn.
 */
export function pullReviewReader(octokit: GithubApi, repo: RepoRef, issueNumber: number) {
  let isPull: boolean | undefined;
  // Conditional reads, as for comments: a quiet pull request's reviews answer 304, free of the rate limit.
  const read = conditionalListReader(({ since: _since, ...p }) =>
    octokit.pulls.listReviews({ ...repo, pull_number: issueNumber, ...p }),
  );
  return async (signal: AbortSignal): Promise<{ items: GateMessage[]; unchanged: boolean }> => {
    if (isPull === undefined) isPull = await pullExists(octokit, repo, issueNumber, signal);
    if (!isPull) return { items: [], unchanged: true };
    const got = await read<Review>({ signal });
    return { items: messages(got.items), unchanged: got.unchanged };
  };
}

function messages(all: readonly Review[]): GateMessage[] {
  return all.flatMap((r) =>
    r.submitted_at && r.state !== 'PENDING' && r.state !== 'DISMISSED'
      ? [
          {
            id: -r.id,
            html_url: r.html_url,
            body: r.body ?? '',
            created_at: r.submitted_at,
            updated_at: r.submitted_at,
            user: r.user,
            review: { state: r.state },
          },
        ]
      : [],
  );
}

async function pullExists(octokit: GithubApi, repo: RepoRef, n: number, signal: AbortSignal): Promise<boolean> {
  try {
    await octokit.pulls.get({ ...repo, pull_number: n, request: { signal } });
    return true;
  } catch (error) {
    // A job token without pull-requests access is answered 403: it could not use a pull request
    // (nor comment on one) anyway, so its gate is on a plain issue.
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 403) return false;
    throw error;
  }
}

/** Why a counted approval no longer counts: its comment or review was edited, or is gone (deleted, dismissed). */
export function withdrawal(id: number, stillThere: boolean): string {
  if (id < 0)
    return stillThere
      ? 'approval review was edited after it counted; approval withdrawn'
      : 'approval review was dismissed; approval withdrawn';
  return stillThere
    ? 'approval comment was edited after it counted; approval withdrawn'
    : 'approval comment was deleted; approval withdrawn';
}

/** Where a gate message came from, as journaled: a review on the run request's pull request, or a comment. */
export const sourceOf = (c: GateMessage, comment: string): string => (c.review ? 'github-review' : comment);
