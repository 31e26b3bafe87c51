import { setupSteps } from './job-steps.js';
import { withJobLimits } from './job-timeout.js';
import { botGit } from './wiki-workflow.js';
import { expr } from './workflow-yaml.js';

/** The branch a run's drill records are proposed on (`runbook/drill-records/<run id>`; `-<attempt>` on a re-run). */
export const drillRecordsBranchPrefix = 'runbook/drill-records/';

/**
 * The last job of the drill calendar's workflow: the records and reports the drill jobs wrote
 * (`drills/records/<run-id>.json`, `drills/reports/<run-id>.md`, one artifact per job) come back
 * to the repository as a pull request opened by github-actions[bot], so drill freshness and the
 * drill history (Home, the Drill pages) update through review like any other change.
 *
 * It is a job of its own so that the drill jobs, which hold the runbooks' secrets, keep a
 * read-only token: only this job may push a branch (`contents: write`), open the pull request
 * (`pull-requests: write`) and read the run's artifacts (`actions: read`, for `gh run download`).
 * It recompiles, so the pull request carries the Drill pages and passes `compile --check`.
 *
 * GitHub refuses `gh pr create` with `github.token` unless the repository (or its organisation)
 * allows it: Settings > Actions > General > Workflow permissions > "Allow GitHub Actions to create
 * and approve pull requests" (docs.github.com "Managing GitHub Actions settings for a repository";
 * GitHub changelog 2022-05-03 "Prevent GitHub Actions from creating and approving pull requests").
 * A pull request opened with `github.token` starts no workflow ("events triggered by the
 * GITHUB_TOKEN, with the exception of workflow_dispatch and repository_dispatch, will not create a
 * new workflow run", docs.github.com "Triggering a workflow"), so the plan check runs when a person
 * pushes to it or closes and reopens it (README "Drill records come back as pull requests").
 */
export function drillRecordsJob(drillJobs: readonly string[]): Record<string, unknown> {
  return withJobLimits(
    {
      needs: [...drillJobs],
      // After every drill job, whether it passed or failed (a failed drill is a record too).
      if: '!cancelled()',
      'runs-on': 'ubuntu-latest',
      permissions: { actions: 'read', contents: 'write', 'pull-requests': 'write' },
      steps: [
        ...setupSteps(),
        {
          name: 'Propose the drill records and reports as a pull request',
          run: script,
          env: {
            GH_TOKEN: expr('github.token'),
            GH_REPO: expr('github.repository'),
            BASE_BRANCH: expr('github.ref_name'),
          },
        },
      ],
    },
    15,
  );
}

/**
 * Downloads this attempt's `drills-<run>-<attempt>-<job>` artifacts (upload-artifact keeps the
 * folder's content at the artifact's root), copies them over `drills/`, recompiles, and stops when
 * nothing is new. Otherwise: a branch, one commit as github-actions[bot], a push with the job's
 * token (never stored in .git/config), and the pull request.
 */
const script = [
  'set -euo pipefail',
  'if ! gh run download "$GITHUB_RUN_ID" --pattern "drills-$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT-*" --dir "$RUNNER_TEMP/drills"; then',
  '  echo "No drill records or reports in this run."',
  '  exit 0',
  'fi',
  'mkdir -p drills',
  'for artifact in "$RUNNER_TEMP"/drills/*/; do cp -R "$artifact". drills/; done',
  'npx --no runbook compile',
  'git add drills generated',
  'if git diff --cached --quiet; then echo "No new drill records or reports."; exit 0; fi',
  `branch="${drillRecordsBranchPrefix}$GITHUB_RUN_ID"`,
  'if [ "$GITHUB_RUN_ATTEMPT" != 1 ]; then branch="$branch-$GITHUB_RUN_ATTEMPT"; fi',
  'git switch --quiet --create "$branch"',
  `${botGit} commit --quiet -m "Drill records and reports of run $GITHUB_RUN_ID"`,
  'git push --quiet "https://x-access-token:${GH_TOKEN}@github.com/${GITHUB_REPOSITORY}.git" "HEAD:refs/heads/$branch"',
  'run_url="$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"',
  'gh pr create --base "$BASE_BRANCH" --head "$branch" --title "Drill records of run $GITHUB_RUN_ID" \\',
  '  --body "The records and reports the drills of $run_url wrote. Merging them updates drill freshness and the drill history in the docs. (Checks start when someone pushes to this branch or closes and reopens this pull request: a pull request opened by github-actions[bot] starts no workflow.)"',
].join('\n');
