import type { RunOptions } from '../run/run-runbook.js';
import type { GithubRunRequest } from './github-run-request.js';

export type { GithubRunRequest } from './github-run-request.js';

/**
 * In GitHub Actions (GITHUB_TOKEN and GITHUB_REPOSITORY set, RUNBOOK_GITHUB not `off`), a run
 * is tracked in an issue (or the run request's pull request): a live table of steps, approval
 * gates answered with `/approve <step>` comments, and the `github` notify channel. Dry runs and
 * runs outside Actions stay local, and never load the GitHub client (Octokit).
 */
export async function githubRunOptions(o: GithubRunRequest): Promise<Partial<RunOptions>> {
  if (o.dryRun || o.env.RUNBOOK_GITHUB === 'off' || !o.env.GITHUB_TOKEN || !o.env.GITHUB_REPOSITORY) return {};
  const { trackedRunOptions } = await import('./github-tracked-run.js');
  return trackedRunOptions(o);
}
