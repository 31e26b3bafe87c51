import type { IrGraph } from '../../../ir/types.js';
import type { CompileResult } from '../../compile.js';
import type { Emitter } from '../emitter.js';
import { runJob, secretsEnv, setupSteps } from './job-steps.js';
import { jobConcurrency, lockEnv, perJobArtifacts, runbookGroup } from './job-concurrency.js';
import { graphTimeoutMinutes, withJobLimits } from './job-timeout.js';
import { runSecrets } from './run-secrets.js';
import { runPermissions } from './runbook-workflow.js';
import { expr, renderWorkflow } from './workflow-yaml.js';

/** Path of the workflow that resumes parked runs (the runbook name `approve` is reserved for it). */
export const approvalWorkflowPath = '.github/workflows/runbook-approve.yml';

/**
 * A gate answered on GitHub parks its run when the run has a database journal of record (issue
 * 13): the job ends green and nobody holds a runner. This workflow is how the run continues: a new
 * `/approve` or `/reject` comment on an issue or pull request (`issue_comment`, created only: an
 * edit never counts), or a review submitted with one on the run request's pull request
 * (`pull_request_review`, submitted only), starts it.
 *
 * - `route` (read-only, no GitHub write): `runbook gate-event --route` asks the audit database
 *   which parked run waits on that issue at the step the comment names, and outputs its runbook.
 *   Nothing parked, or a comment naming no parked step: no output, nothing else runs.
 * - one `resume-<runbook>` job per runbook that can park (it has gates, or runs other runbooks),
 *   run only for that runbook: its secrets, its GitHub environment, its concurrency group (so a
 *   resume and a dispatch of the runbook never overlap), its time limit. `runbook gate-event
 *   --runbook NAME` resumes the run; the resumed gate reads the comment through the API and judges
 *   it exactly as if it had kept waiting (identity, M-of-N, plan hash, no self-approval, deadline).
 *
 * A review approves a run request before the run starts (verify-run-request.ts) by its state; a
 * gate inside a run tracked on the run request's pull request is answered by a review's BODY
 * (`/approve <step>`), judged by the resumed gate as a comment would be (issue 13 item 4).
 */
export const approvalWorkflowEmitter: Emitter = {
  id: 'workflows-approve',
  docs: 'The workflow that resumes a run parked at an approval gate on an /approve comment (.github/workflows/runbook-approve.yml).',
  emit(result) {
    return [{ path: approvalWorkflowPath, content: renderWorkflow(approvalWorkflow(result)) }];
  },
  folders: ['.github/workflows'],
  owns: (path) => path === approvalWorkflowPath,
};

/** Runbooks whose runs can park: a gate of their own, or a `runbook` step (a child's gate). */
export function parkingRunbooks(result: CompileResult): IrGraph[] {
  return result.graphs
    .filter((g) => g.origin.kind === 'Runbook')
    .filter((g) => g.nodes.some((n) => n.approval !== undefined || n.uses === 'runbook'))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Only new comments that carry a gate command (the command checks the exact syntax), never a
 * bot's, and only from people with a relationship to the repository: an approver needs write
 * access anyway, so a stranger's comment starts no runner (a resumed gate still reads it, and
 * refuses and journals it). `author_association` is GitHub's: OWNER, MEMBER (of the owning
 * organisation), COLLABORATOR (invited to the repository).
 */
const messageFilter = (event: string, message: 'comment' | 'review') =>
  [
    `github.event_name == '${event}'`,
    `(contains(github.event.${message}.body, '/approve') || contains(github.event.${message}.body, '/reject'))`,
    `github.event.${message}.user.type != 'Bot'`,
    `contains(fromJSON('["OWNER", "MEMBER", "COLLABORATOR"]'), github.event.${message}.author_association)`,
  ].join(' && ');
/** A new comment, or a submitted review (its `author_association` is GitHub's too), as above. */
const commentFilter = `(${messageFilter('issue_comment', 'comment')}) || (${messageFilter('pull_request_review', 'review')})`;

function approvalWorkflow(result: CompileResult): Record<string, unknown> {
  const runbooks = parkingRunbooks(result);
  return {
    name: 'runbook approvals',
    on: { issue_comment: { types: ['created'] }, pull_request_review: { types: ['submitted'] } },
    permissions: {},
    jobs: {
      route: routeJob(),
      ...Object.fromEntries(runbooks.map((g) => [`resume-${g.name}`, resumeJob(g, result.graphs)])),
    },
  };
}

function routeJob(): Record<string, unknown> {
  // One database query: minutes at most, never GitHub's 360.
  return withJobLimits(
    {
      if: commentFilter,
      'runs-on': 'ubuntu-latest',
      permissions: { contents: 'read' },
      outputs: { runbook: expr('steps.route.outputs.runbook') },
      steps: [
        ...setupSteps(),
        {
          id: 'route',
          name: 'Find the parked run',
          run: 'npx --no runbook gate-event --route',
          env: { RUNBOOK_AUDIT_DB: expr('secrets.RUNBOOK_AUDIT_DB') },
        },
      ],
    },
    10,
  );
}

function resumeJob(graph: IrGraph, graphs: readonly IrGraph[]): Record<string, unknown> {
  const job = runJob({
    // Runbook names are kebab-case (schema): safe inside the quoted expression.
    if: `needs.route.outputs.runbook == '${graph.name}'`,
    stepName: `Resume ${graph.name}`,
    command: `npx --no runbook gate-event --runbook ${graph.name}`,
    env: { ...secretsEnv(runSecrets(graph, graphs)), ...lockEnv() },
    ...(graph.environment ? { environment: graph.environment } : {}),
    uploadAudit: true,
  });
  const { steps, ...head } = job;
  // A parked run may be tracked on a run request's pull request: commenting there takes
  // pull-requests: write (which also reads its reviews, the gate's other answers).
  const permissions = { ...runPermissions, 'pull-requests': 'write' };
  const limited = withJobLimits(
    { needs: 'route', ...head, permissions, steps },
    graphTimeoutMinutes(graph),
    jobConcurrency(runbookGroup(graph)),
  );
  return perJobArtifacts(limited);
}
