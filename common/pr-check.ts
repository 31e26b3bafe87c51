/**
 * The name of the pull-request check (the job's `name:` in the generated pull-request workflow,
 * compiler/emit/workflows/pr-workflow.ts, which is the check GitHub reports): stable, because
 * `runbook github setup` (executor/github/setup.ts) makes it a required status check of the
 * default branch. Here, not in the compiler, because the executor may not import the compiler.
 */
export const prCheckName = 'runbook-plan';
