import type { CompileResult } from '../../compile.js';
import type { Emitter } from '../emitter.js';
import { runJob, secretsEnv } from './job-steps.js';
import { runSecrets } from './run-secrets.js';
import { runPermissions } from './runbook-workflow.js';
import { expr, literal, renderWorkflow } from './workflow-yaml.js';

/** Path of the workflow that runs merged run requests. */
export const runRequestWorkflowPath = '.github/workflows/runbook-run-request.yml';

/**
 * Runs the run requests a push to the default branch added or changed (`runbook run-request
 * --changed BEFORE AFTER`, which verifies each one's pull-request approvals and plan hash first).
 *
 * The job has the secrets of every runbook a run request in the tree names, and no GitHub
 * environment: a job has one environment, a push may carry requests for several runbooks, and the
 * approvals are the pull request's reviews. Secrets it needs must therefore be repository (or
 * organisation) secrets. No concurrency group either: GitHub keeps only one pending run per group
 * and cancels the others, which would drop a merged request; the executor's lock serialises runs.
 */
export const runRequestWorkflowEmitter: Emitter = {
  id: 'workflows-run-request',
  docs: 'The workflow that runs merged run requests (.github/workflows/runbook-run-request.yml).',
  emit(result) {
    return [{ path: runRequestWorkflowPath, content: renderWorkflow(runRequestWorkflow(result)) }];
  },
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
  return {
    name: 'runbook run requests',
    on: { push: { paths: [literal('runs/**')] } },
    // The run's tracking issue is the request's pull request: reading its reviews and comments,
    // and commenting on it (progress, gates, notify), takes pull-requests: write; a comment on a
    // pull request is refused to `issues: write` alone (GitHub checks the target's permission).
    permissions: { ...runPermissions, 'pull-requests': 'write' },
    jobs: {
      run: runJob({
        // The compiler cannot know the default branch's name; the event can.
        if: "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)",
        stepName: 'Run merged run requests',
        command: 'npx runbook run-request --changed "$BEFORE_SHA" "$AFTER_SHA"',
        env: { BEFORE_SHA: expr('github.event.before'), AFTER_SHA: expr('github.event.after'), ...secretsEnv(runRequestSecrets(result)) },
        fetchDepth: 0,
        uploadAudit: true,
      }),
    },
  };
}
