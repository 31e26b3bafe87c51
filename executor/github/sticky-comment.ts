import type { GithubApi, RepoRef } from './client.js';

/** Where the sticky comment lives, how it is recognised, and its new text. */
export interface StickyCommentOptions {
  readonly octokit: GithubApi;
  readonly repo: RepoRef;
  /** Issue or pull-request number (pull requests share the issue comment API). */
  readonly issueNumber: number;
  /** A hidden HTML comment identifying this sticky comment, e.g. `<!-- runbook-plan -->`. */
  readonly marker: string;
  /** The new body; the marker is prepended when the body does not already contain it. */
  readonly body: string;
  /**
   * The configured bot (`botLogin(env)`): only its comments are taken over. Anyone can quote the
   * marker, and editing their comment would fail with 403 (or, with an admin token, rewrite it).
   */
  readonly author: string;
}

/** What `upsertStickyComment` did, and the comment it did it to. */
export interface StickyCommentResult {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly id: number;
  readonly url: string;
}

/**
 * Creates a comment once and edits it on every later call, so a pull request carries one plan
 * comment however many times the workflow runs. Reads every page of comments to find the
 * marker (a long review thread pushes it past the first page, and missing it would duplicate).
 * When several comments carry the marker (an earlier race) the oldest is kept and edited.
 */
export async function upsertStickyComment(o: StickyCommentOptions): Promise<StickyCommentResult> {
  const { owner, repo } = o.repo;
  const body = o.body.includes(o.marker) ? o.body : `${o.marker}\n${o.body}`;
  const comments = await o.octokit.paginate(o.octokit.issues.listComments, {
    owner,
    repo,
    issue_number: o.issueNumber,
    per_page: 100,
  });
  const mine = comments.find(
    (c) => (c.body ?? '').includes(o.marker) && c.user?.login.toLowerCase() === o.author.toLowerCase(),
  );
  if (mine) {
    // Editing with the same text would only bump updated_at and notify nobody usefully.
    if (mine.body === body) return { action: 'unchanged', id: mine.id, url: mine.html_url };
    const { data } = await o.octokit.issues.updateComment({ owner, repo, comment_id: mine.id, body });
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data } = await o.octokit.issues.createComment({ owner, repo, issue_number: o.issueNumber, body });
  return { action: 'created', id: data.id, url: data.html_url };
}
