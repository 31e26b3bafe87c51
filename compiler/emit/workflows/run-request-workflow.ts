import type { IrGraph } from '../../../ir/types.js';
import type { CompileResult } from '../../compile.js';
import type { Emitter } from '../emitter.js';
import { runJob, secretsEnv } from './job-steps.js';
import { runSecrets } from './run-secrets.js';
import { runPermissions } from './runbook-workflow.js';
import { jobConcurrency, lockEnv, perJobArtifacts, runbookGroup } from './job-concurrency.js';
import { graphTimeoutMinutes, jobTimeoutMinutes, withJobLimits } from './job-timeout.js';
import { expr, literal, renderWorkflow } from './workflow-yaml.js';

/** Path of the workflow that runs merged run requests. */
export const runRequestWorkflowPath = '.github/workflows/runbook-run-request.yml';

/**
 * Runs the run requests a push to the default branch added or changed (`runbook run-request
 * --changed BEFORE AFTER`, which verifies each one's pull-request approvals and plan hash first).
 *
 * One job per concurrency group of the runbooks that run requests in the tree name (the workflow
 * is regenerated with the pull request that adds a request, and `compile --check` makes sure of
 * it): each job runs only its runbooks' requests, with their secrets, in the group their dispatch
 * workflows use. With no run request in the tree, one job without a group reports that there is
 * nothing to run. No GitHub environment: the approvals are the pull request's reviews, so secrets
 * must be repository (or organisation) secrets.
 */
export const runRequestWorkflowEmitter: Emitter = {
  id: 'workflows-run-request',
  docs: 'The workflow that runs merged run requests (.github/workflows/runbook-run-request.yml).',
  emit(result) {
    return [{ path: runRequestWorkflowPath, content: renderWorkflow(runRequestWorkflow(result)) }];
  },
  folders: ['.github/workflows'],
  owns: (path) => path === runRequestWorkflowPath,
};

/** Union of the secrets of the runbooks named by run requests (and the runbooks those run). */
export function runRequestSecrets(result: CompileResult): string[] {
  const out = new Set<string>();
  for (const request of result.runRequests) {
    const graph = result.graphs.find((g) => g.name === request.runbook);
    if (graph) for (const s of runSecrets(graph, result.graphs)) out.add(s);
  }
  return [...out].sort();
}

function runRequestWorkflow(result: CompileResult): Record<string, unknown> {
  const groups = requestGroups(result);
  return {
    name: 'runbook run requests',
    on: { push: { paths: [literal('runs/**')] } },
    // The run's tracking issue is the request's pull request: reading its reviews and comments,
    // and commenting on it (progress, gates, notify), takes pull-requests: write; a comment on a
    // pull request is refused to `issues: write` alone (GitHub checks the target's permission).
    permissions: { ...runPermissions, 'pull-requests': 'write' },
    jobs: groups.length
      ? Object.fromEntries(groups.map((g) => [`run-${g.runbooks[0].name}`, groupJob(result, g)]))
      : { run: withJobLimits(requestJob(result, [], requestCommand), jobTimeoutMinutes(0)) },
  };
}

/** The runbooks that share one concurrency group (sorted by name), as run requests name them. */
interface RequestGroup {
  readonly group: string;
  readonly runbooks: readonly IrGraph[];
}

function requestGroups(result: CompileResult): RequestGroup[] {
  const byGroup = new Map<string, IrGraph[]>();
  for (const name of [...new Set(result.runRequests.map((r) => r.runbook))].sort()) {
    const graph = result.graphs.find((g) => g.name === name && g.origin.kind === 'Runbook');
    if (!graph) continue;
    byGroup.set(runbookGroup(graph), [...(byGroup.get(runbookGroup(graph)) ?? []), graph]);
  }
  return [...byGroup].map(([group, runbooks]) => ({ group, runbooks }));
}

const requestCommand = 'npx --no runbook run-request --changed "$BEFORE_SHA" "$AFTER_SHA"';

/**
 * The job of one concurrency group: the requests of its runbooks only (`--runbook`), with their
 * secrets only, in the group a dispatch of those runbooks uses, so a run request and a dispatch
 * run one after the other; its time limit is its slowest runbook's (one push rarely carries more
 * than one request, and each gate stops before the job ends: executor/run/job-deadline.ts).
 */
function groupJob(result: CompileResult, g: RequestGroup): Record<string, unknown> {
  const command = `${requestCommand}${g.runbooks.map((r) => ` --runbook ${r.name}`).join('')}`;
  const minutes = Math.max(...g.runbooks.map(graphTimeoutMinutes));
  return perJobArtifacts(withJobLimits(requestJob(result, g.runbooks, command), minutes, jobConcurrency(g.group)));
}

function requestJob(result: CompileResult, runbooks: readonly IrGraph[], command: string): Record<string, unknown> {
  const secrets = runbooks.length
    ? [...new Set(runbooks.flatMap((r) => runSecrets(r, result.graphs)))]
    : runRequestSecrets(result);
  return runJob({
    // The compiler cannot know the default branch's name; the event can.
    if: "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)",
    stepName: runbooks.length
      ? `Run merged run requests (${runbooks.map((r) => r.name).join(', ')})`
      : 'Run merged run requests',
    // Runbook names are kebab-case (schema): safe as words of the script.
    command,
    env: {
      BEFORE_SHA: expr('github.event.before'),
      AFTER_SHA: expr('github.event.after'),
      ...secretsEnv(secrets),
      ...lockEnv(),
    },
    fetchDepth: 0,
    uploadAudit: true,
  });
}
