import { anchorEvents, headLine, headOf, type PublishedHead } from '../audit/anchor-marker.js';
import type { AuditRecord, AuditSink } from '../audit/record.js';
import type { GithubApi, RepoRef } from './client.js';

/** Where a run's chain heads are published on GitHub. */
export interface AnchorCommentOptions {
  readonly octokit: GithubApi;
  readonly repo: RepoRef;
  /** The run's tracking issue, or the run request's pull request (they share the comment API). */
  readonly issueNumber: number;
  readonly runId: string;
  /** Where failed publications are reported (default: stderr). */
  readonly log?: (message: string) => void;
}

/** The comment's identifying marker, one comment per run. */
export const anchorCommentMarker = (runId: string) => `<!-- runbook-audit-anchors run=${runId} -->`;

/**
 * An audit sink that publishes the chain head at each gate and at run end in one comment of the
 * run's tracking issue (created at the first head, edited with each next one, every earlier head
 * kept). The comment is written through the API as the token's identity, whom `audit verify
 * --anchors-from github` trusts; once the job's GITHUB_TOKEN has expired, the runner that wrote
 * the log can no longer change it. Like the tracking issue, GitHub is a window on the run, not
 * its journal: `write` resolves at once, failures are logged, `close()` waits for the last head.
 * REST: POST /repos/{owner}/{repo}/issues/{issue_number}/comments and PATCH
 * /repos/{owner}/{repo}/issues/comments/{comment_id}
 * (https://docs.github.com/en/rest/issues/comments).
 */
export function createAnchorCommentSink(o: AnchorCommentOptions): AuditSink {
  const { owner, repo } = o.repo;
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const heads: PublishedHead[] = [];
  let commentId: number | undefined;
  let chain: Promise<void> = Promise.resolve();

  const body = () =>
    [
      anchorCommentMarker(o.runId),
      `**Audit chain heads** of run \`${o.runId}\`, for \`runbook audit verify ${o.runId} --anchors-from github\`:`,
      '',
      ...heads.map((h) => `- ${headLine(o.runId, h)}`),
    ].join('\n');

  // One publication after another, each with every head so far: an older body never wins.
  const publish = () => {
    chain = chain.then(async () => {
      try {
        if (commentId === undefined) {
          const { data } = await o.octokit.issues.createComment({
            owner,
            repo,
            issue_number: o.issueNumber,
            body: body(),
          });
          commentId = data.id;
        } else {
          await o.octokit.issues.updateComment({ owner, repo, comment_id: commentId, body: body() });
        }
      } catch (error) {
        log(
          `tracking issue #${o.issueNumber}: could not publish the audit chain head (the run goes on): ${(error as Error).message}`,
        );
      }
    });
  };

  return {
    name: 'github-audit-anchor',
    write(records: readonly AuditRecord[]) {
      const fresh = records.filter((r) => anchorEvents.has(r.type));
      if (fresh.length) {
        heads.push(...fresh.map(headOf));
        publish();
      }
      return Promise.resolve();
    },
    close: () => chain,
  };
}
