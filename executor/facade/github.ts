// The executor's GitHub side as `runbook pr-comment` and `runbook github-setup` see it (a tracked
// run's GitHub wiring is github-run.ts). Loaded only by those commands: it loads Octokit.
export { RunRefused } from '../core/errors.js';
export { githubClient } from '../github/client.js';
export { environmentsFromGraphs, githubSetup } from '../github/setup.js';
export { upsertStickyComment } from '../github/sticky-comment.js';
