import { parseHeadMarkers } from '../audit/anchor-marker.js';
import type { PublishedAnchor } from '../audit/check-anchors.js';
import type { GithubApi, RepoRef } from './client.js';
import { normLogin } from './approvers.js';

/** Where to look, and whose comments count. */
export interface ReadGithubAnchorsOptions {
  readonly octokit: GithubApi;
  readonly repo: RepoRef;
  readonly issueNumber: number;
  readonly runId: string;
  /** Logins whose comments are trusted: the configured workflow bot (`botLogin(env)`). */
  readonly bots: readonly string[];
}

type Comment = { id: number; html_url: string; body?: string; user: { login: string } | null };

/**
 * The heads a run published on its tracking issue or pull request. Only comments written by the
 * configured bot count, as with plan comments: anyone can paste a marker into a comment of theirs,
 * and the token's own identity cannot be asked (GET /user is 403 for installation tokens). Reads
 * every page of comments (GET /repos/{owner}/{repo}/issues/{issue_number}/comments,
 * https://docs.github.com/en/rest/issues/comments#list-issue-comments).
 */
export async function readGithubAnchors(
  o: ReadGithubAnchorsOptions,
): Promise<{ anchors: PublishedAnchor[]; trusted: string[] }> {
  const { owner, repo } = o.repo;
  const trusted = [...new Set(o.bots.map(normLogin))];
  const comments = (await o.octokit.paginate(o.octokit.issues.listComments, {
    owner,
    repo,
    issue_number: o.issueNumber,
    per_page: 100,
  })) as Comment[];
  const anchors: PublishedAnchor[] = [];
  for (const c of comments) {
    if (!c.user || !trusted.includes(normLogin(c.user.login))) continue;
    for (const h of parseHeadMarkers(c.body ?? '', o.runId))
      anchors.push({ seq: h.seq, hash: h.hash, from: `${c.html_url} by @${c.user.login}` });
  }
  return { anchors, trusted };
}
