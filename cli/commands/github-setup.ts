import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IrGraph } from '../../ir/types.js';
import { githubClient, environmentsFromGraphs, githubSetup } from '../../executor/facade/github.js';
import { ExitCode } from '../exit-codes.js';

/**
 * `runbook github setup [--dry-run] [--branch main]`: the runbooks' environments with their
 * required reviewers, and branch protection requiring CODEOWNERS review, through the API.
 */
export async function githubSetupCommand(o: {
  root: string;
  dryRun?: boolean;
  branch?: string;
  json?: boolean;
}): Promise<number> {
  const dir = join(o.root, 'generated', 'graphs');
  const graphs = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as IrGraph);
  const env = o.dryRun ? { GITHUB_TOKEN: 'dry-run', GITHUB_REPOSITORY: 'owner/repo', ...process.env } : process.env;
  const gh = githubClient(env);
  const result = await githubSetup({
    octokit: gh.octokit,
    repo: gh.repo,
    environments: environmentsFromGraphs(graphs),
    branch: o.branch ?? 'main',
    dryRun: o.dryRun === true,
  });
  if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else {
    process.stdout.write(
      `${o.dryRun ? 'would make' : 'made'} ${result.calls.length} call(s) on ${gh.repo.owner}/${gh.repo.repo}:\n`,
    );
    for (const c of result.calls)
      process.stdout.write(`  ${c.method} ${c.path}${c.body ? ` ${JSON.stringify(c.body)}` : ''}\n`);
  }
  return ExitCode.Ok;
}
