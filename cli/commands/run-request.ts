import { compileTree, type CompileResult } from '../../compiler/compile.js';
import { auditRunRequest, loadGraph, RunRefused, verifyRunRequest } from '../../executor/facade/index.js';
import { ExitCode } from '../exit-codes.js';
import { addedFiles } from '../git-tree.js';
import { initiatorOf } from '../initiator.js';
import { runCommand, type RunCliOptions } from './run.js';

type RunRequestCliOptions = RunCliOptions & { changed?: string[]; runbook?: string[] };
type RunRequestInfo = CompileResult['runRequests'][number];

/**
 * `runbook run-request [FILE…] [--changed BEFORE AFTER]`: runs merged run requests. Before the
 * first step the merged pull request is checked through the GitHub API (approving reviews by
 * allowed approvers on the merged head commit, none by the author or initiator, none dismissed,
 * and the plan hash in the reviewed plan comment equal to the one about to run); every reviewer
 * and refusal is audited, and a refused request ends in the journal without running anything.
 */
export async function runRequestCommand(files: string[], o: RunRequestCliOptions): Promise<number> {
  const added = o.changed?.length === 2 ? addedFiles(o.root, o.changed[0], o.changed[1], 'runs') : files;
  const compiled = added.length ? compileTree(o.root) : undefined;
  // `--runbook`: only the requests for these runbooks (the run-request workflow has one job per
  // concurrency group); a file that is no valid request is refused by every job.
  const only = o.runbook?.length ? new Set(o.runbook) : undefined;
  const todo = only
    ? added.filter((f) => {
        const r = compiled?.runRequests.find((x) => x.file === f);
        return !r?.planHash || only.has(r.runbook);
      })
    : added;
  if (todo.length === 0) {
    process.stdout.write('no new run requests\n');
    return ExitCode.Ok;
  }
  let worst: number = ExitCode.Ok;
  for (const file of todo) {
    const info = compiled?.runRequests.find((r) => r.file === file);
    worst = Math.max(worst, await runOneRequest(file, info, o));
  }
  return worst;
}

/** Verifies one request's pull request, then runs it; the verification is audited either way. */
async function runOneRequest(file: string, info: RunRequestInfo | undefined, o: RunRequestCliOptions) {
  if (!info?.planHash)
    throw new RunRefused(`${file} is not a valid run request`, 'run `runbook validate` for the reasons');
  if (!process.env.GITHUB_TOKEN || !process.env.GITHUB_REPOSITORY) {
    throw new RunRefused(
      'run requests are verified through the GitHub API',
      'set GITHUB_TOKEN and GITHUB_REPOSITORY (the run-request workflow does)',
    );
  }
  const { verification, policy } = await verifyRunRequest({
    env: process.env,
    graph: loadGraph(o.root, info.runbook),
    mergeSha: process.env.GITHUB_SHA ?? o.changed?.[1] ?? 'HEAD',
    requestFile: file,
    planHash: info.planHash,
    initiator: initiatorOf(o.as, process.env),
  });
  process.stderr.write(
    `run request ${file}: ${verification.ok ? `approved by ${verification.reviewers.map((r) => r.login).join(', ')}` : `refused: ${verification.refusals.map((r) => r.reason).join('; ')}`}\n`,
  );
  return runCommand(info.runbook, { ...o, input: [], drill: info.drill, dryRun: info.dryRun }, undefined, {
    inputs: info.requested as Record<string, unknown>,
    ...(verification.pr ? { issueNumber: verification.pr.number } : {}),
    beforeSteps: async ({ events, planHash }) => {
      await auditRunRequest(events, verification, { planHash, policy });
      if (!verification.ok)
        throw new RunRefused(
          `run request ${file} is not approved: ${verification.refusals.map((r) => r.reason).join('; ')}`,
        );
    },
  });
}
