import { readFileSync, rmSync } from 'node:fs';
import { compileTree, defaultPaths } from '../../compiler/compile.js';
import { diffCompile, planCommentMarker, renderPlanComment } from '../../compiler/diff/index.js';
import { githubClient, upsertStickyComment, RunRefused } from '../../executor/facade/github.js';
import { ExitCode } from '../exit-codes.js';
import { treeAt } from '../git-tree.js';

/**
 * `runbook pr-comment --base-ref SHA`: the plan diff of a pull request as one sticky comment
 * (created once, then edited). Outside Actions, or with --print, the comment goes to stdout.
 */
export async function prCommentCommand(o: {
  root: string;
  baseRef?: string;
  pr?: string;
  print?: boolean;
}): Promise<number> {
  const baseRef = o.baseRef ?? process.env.BASE_SHA;
  if (!baseRef) throw new RunRefused('pr-comment needs --base-ref SHA (or BASE_SHA)');
  const baseDir = treeAt(o.root, baseRef, defaultPaths);
  let body: string;
  try {
    // A head with errors still gets a comment: the diff of what compiles, next to the annotations.
    const commit = process.env.HEAD_SHA;
    body = renderPlanComment(diffCompile(compileTree(baseDir), compileTree(o.root)), commit ? { commit } : {});
  } finally {
    rmSync(baseDir, { recursive: true, force: true });
  }
  const pr = Number(o.pr ?? process.env.PR_NUMBER ?? prFromEvent());
  if (o.print || !process.env.GITHUB_TOKEN || !Number.isInteger(pr) || pr <= 0) {
    process.stdout.write(body + '\n');
    return ExitCode.Ok;
  }
  const gh = githubClient(process.env);
  const r = await upsertStickyComment({
    octokit: gh.octokit,
    repo: gh.repo,
    issueNumber: pr,
    marker: planCommentMarker,
    body,
    author: gh.bot,
  });
  process.stdout.write(`plan comment ${r.action}: ${r.url}\n`);
  return ExitCode.Ok;
}

function prFromEvent(): number | undefined {
  try {
    const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH ?? '', 'utf8')) as {
      pull_request?: { number?: number };
    };
    return event.pull_request?.number;
  } catch {
    return undefined;
  }
}
