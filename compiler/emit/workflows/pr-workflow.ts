import { prCheckName } from '../../../common/pr-check.js';
import type { Emitter } from '../emitter.js';
import { setupSteps } from './job-steps.js';
import { expr, literal, renderWorkflow } from './workflow-yaml.js';

/** Path of the pull-request workflow. */
export const prWorkflowPath = '.github/workflows/runbook-pr.yml';

/**
 * What a pull request must be checked for: runbooks, run requests and schemas, and anything
 * generated from them (a hand edit of a generated file is caught by `compile --check`), and the
 * pinned tool (package.json, the lockfile): upgrading it without recompiling must fail the check.
 */
export const prPaths = [
  'runbooks/**',
  'runs/**',
  'schemas/**',
  'generated/**',
  '.github/workflows/**',
  '.github/CODEOWNERS',
  'package.json',
  'package-lock.json',
];

/**
 * The pull-request workflow: annotations for every finding, `compile --check` so generated files
 * never drift, and the sticky plan comment (`runbook pr-comment`, which diffs the plan against the
 * base commit: hence the whole history). The comment is posted even when a check failed, so
 * reviewers see the plan next to the failure; a newer push cancels the older check.
 */
export const prWorkflowEmitter: Emitter = {
  id: 'workflows-pr',
  docs: 'The pull-request workflow: validate, compile --check, plan comment (.github/workflows/runbook-pr.yml).',
  emit() {
    return [{ path: prWorkflowPath, content: renderWorkflow(prWorkflow()) }];
  },
  folders: ['.github/workflows'],
  owns: (path) => path === prWorkflowPath,
};

function prWorkflow(): Record<string, unknown> {
  return {
    name: 'runbook plan',
    on: { pull_request: { paths: prPaths.map(literal) } },
    // pull-requests: write for the sticky comment; nothing else is written.
    permissions: { contents: 'read', 'pull-requests': 'write' },
    concurrency: { group: `runbook-pr-${expr('github.event.pull_request.number')}`, 'cancel-in-progress': true },
    jobs: {
      plan: {
        name: prCheckName,
        'runs-on': 'ubuntu-latest',
        // Validate, compile and comment: minutes, never hours (GitHub's default would be 360).
        'timeout-minutes': 20,
        steps: [
          ...setupSteps(0),
          { name: 'Validate', run: 'npx --no runbook validate --format github' },
          { name: 'Check generated files', run: 'npx --no runbook compile --check' },
          {
            name: 'Comment the plan',
            if: expr('!cancelled()'),
            run: 'npx --no runbook pr-comment --base-ref "$BASE_SHA"',
            env: {
              BASE_SHA: expr('github.event.pull_request.base.sha'),
              HEAD_SHA: expr('github.event.pull_request.head.sha'),
              PR_NUMBER: expr('github.event.pull_request.number'),
              GITHUB_TOKEN: expr('github.token'),
            },
          },
        ],
      },
    },
  };
}
