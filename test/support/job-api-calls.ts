import { leastGrant, permissionsFor, type Call, type Grant, type Need } from './github-permissions.js';

/**
 * The GitHub API calls each `runbook` command a generated job runs can make, read from the code
 * under executor/github (and checked against the fake's recorded requests of a real run in
 * test/executor/integration/run-request.test.ts):
 * - `run` / `drill` (dispatch, backup and drill workflows): the tracking issue (create, update
 *   its body, its progress comment), `/approve` gates on it (list, post), notify `github`
 *   messages and the audit chain head (comments on it). A gate asks whether its issue is a pull
 *   request (pulls/get); without pull-requests access GitHub answers 403, which means a plain
 *   issue (review-reader.ts), so these jobs need no pull-requests permission.
 * - `run-request`: the pull requests of the merged commit, their reviews and comments (the plan
 *   marker, trusted only from the configured bot), each approver's repository permission, then the run, whose tracking issue is that pull request (sticky progress comment,
 *   gates, notify): comments on a pull request. A request no pull request approved still runs
 *   up to its refusal with a tracking issue of its own.
 * - `pr-comment`: the sticky plan comment on the pull request.
 * - `resume` (the resume workflow): none; a resumed run does not reopen its tracking issue.
 * - `validate`, `compile`, `wiki-export`, `audit` (export reads the audit database): no API call.
 * - Besides `runbook`: `git push` (the wiki, the drill records' branch), `gh run download` (the
 *   run's drill artifacts), `gh pr create` (the drill records' pull request).
 * Team membership (organization Members: read) is left out: no job `permissions:` key grants it;
 * the Directory or a members token decides (issue 11, approver identity).
 * Every job checks the repository out: `contents: read`.
 */
const issue = (operationId: string): Call => ({ operationId, onPull: false });
const pull = (operationId: string): Call => ({ operationId, onPull: true });

const trackingIssue = [
  issue('issues/create'),
  issue('issues/update'),
  issue('issues/list-comments'),
  issue('issues/create-comment'),
  issue('issues/update-comment'),
  // A BackupPlan's one tracking issue is found by its label; an approver must have write access.
  issue('issues/list-for-repo'),
  { operationId: 'repos/get-collaborator-permission-level' },
];

export const commandCalls: Record<string, readonly Call[]> = {
  run: trackingIssue,
  drill: trackingIssue,
  'run-request': [
    { operationId: 'repos/list-pull-requests-associated-with-commit' },
    { operationId: 'pulls/list-reviews' },
    // Its gates on the pull request: is it one (pulls/get), and its reviews' /approve bodies.
    { operationId: 'pulls/get' },
    pull('issues/list-comments'),
    pull('issues/create-comment'),
    pull('issues/update-comment'),
    ...trackingIssue,
  ],
  // Resumes the run parked on the commented issue or pull request: its gate (comments and, on a
  // pull request, reviews), table and notify there.
  'gate-event': [
    { operationId: 'pulls/get' },
    { operationId: 'pulls/list-reviews' },
    pull('issues/list-comments'),
    pull('issues/create-comment'),
    pull('issues/update-comment'),
    ...trackingIssue,
  ],
  // Only asks the audit database which run is parked where.
  'gate-event --route': [],
  'pr-comment': [pull('issues/list-comments'), pull('issues/create-comment'), pull('issues/update-comment')],
  resume: [],
  validate: [],
  compile: [],
  'wiki-export': [],
  audit: [],
  'git push': [{ operationId: 'git/push' }],
  'gh run download': [
    { operationId: 'actions/list-workflow-run-artifacts' },
    { operationId: 'actions/download-artifact' },
  ],
  'gh pr create': [{ operationId: 'pulls/create' }],
};

const checkout: Need = [['contents', 'read']];

/** The least `permissions:` a job running `commands` needs. */
export function jobGrant(commands: readonly string[]): Grant {
  return leastGrant([
    checkout,
    ...commands.flatMap((c) => {
      const calls = commandCalls[c];
      if (!calls) throw new Error(`job-api-calls: no API calls recorded for \`runbook ${c}\``);
      return calls.map(permissionsFor);
    }),
  ]);
}
