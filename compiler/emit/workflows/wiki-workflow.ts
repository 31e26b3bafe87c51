import type { Emitter } from '../emitter.js';
import { setupSteps, verifyGeneratedStep } from './job-steps.js';
import { withJobLimits } from './job-timeout.js';
import { expr, literal, renderWorkflow } from './workflow-yaml.js';

/** Path of the wiki-publishing workflow (the runbook name `wiki` is reserved for it). */
export const wikiWorkflowPath = '.github/workflows/runbook-wiki.yml';

/** What changes the wiki: the sources, what is generated from them (docs, drill pages) and this workflow. */
const wikiPaths = ['runbooks/**', 'generated/**', 'drills/**', wikiWorkflowPath];

/** The author of the wiki's commits: the Actions bot, as GitHub writes it for `github.token` commits. */
const botName = 'github-actions[bot]';
const botEmail = '41898282+github-actions[bot]@users.noreply.github.com';

/** `git -c user.name=… -c user.email=…`: the bot identity for one command, nothing stored. */
export const botGit = `git -c user.name='${botName}' -c user.email='${botEmail}'`;

/**
 * Publishes `generated/docs` to the repository's GitHub wiki on every push to the default branch
 * that touches the runbooks or what is generated from them (and by hand).
 *
 * A wiki is its own git repository, `OWNER/REPO.wiki.git`, pushed to like any other. The job's
 * token (`github.token`, with `contents: write`) may push to it, but only once the wiki exists:
 * its repository is created when the first page is saved in the web interface, so that is done
 * once by hand (README "Publishing the wiki"); until then the clone fails with a message saying so.
 * `runbook wiki-export` rewrites the links for the wiki (compiler/emit/docs/wiki-export.ts) and
 * removes pages no longer generated; hand-written pages stay. With the `RUNBOOK_AUDIT_DB` secret,
 * an `Audit` page lists the runs since the start of the previous quarter (`runbook audit export`);
 * it is written first, so that the export, finding it, links it from Home and the sidebar.
 * A commit is made, as github-actions[bot], only when a page changed.
 *
 * The default branch is not a constant a workflow can name (`$default-branch` exists only in
 * workflow templates), so the job compares the pushed branch with the repository's.
 */
export const wikiWorkflowEmitter: Emitter = {
  id: 'workflows-wiki',
  docs: 'The wiki-publishing workflow: generated/docs to the GitHub wiki on push to the default branch (.github/workflows/runbook-wiki.yml).',
  emit() {
    return [{ path: wikiWorkflowPath, content: renderWorkflow(wikiWorkflow()) }];
  },
  folders: ['.github/workflows'],
  owns: (path) => path === wikiWorkflowPath,
};

function wikiWorkflow(): Record<string, unknown> {
  return {
    name: 'runbook wiki',
    on: { push: { paths: wikiPaths.map(literal) }, workflow_dispatch: {} },
    // contents: write is what lets github.token push to the wiki's git repository.
    permissions: { contents: 'write' },
    // One publication at a time, in push order; a newer one waiting replaces an older one waiting.
    concurrency: { group: 'runbook-wiki-publish', 'cancel-in-progress': false },
    jobs: {
      publish: withJobLimits(
        {
          if: 'github.ref_name == github.event.repository.default_branch',
          'runs-on': 'ubuntu-latest',
          steps: [
            ...setupSteps(),
            verifyGeneratedStep(),
            cloneWikiStep(),
            // The Audit page before the export: wiki-export links an Audit.md it finds in the clone.
            ...auditPageSteps(),
            {
              name: 'Write the wiki pages',
              run: 'npx --no runbook wiki-export "$RUNNER_TEMP/wiki" --repository "$GITHUB_REPOSITORY" --branch "$GITHUB_REF_NAME"',
            },
            publishStep(),
          ],
        },
        15,
      ),
    },
  };
}

/**
 * The wiki's clone, in the runner's temporary folder (emptied after the job), authenticated with
 * the job's token as `x-access-token` (the user name GitHub documents for installation tokens over HTTPS).
 */
function cloneWikiStep(): Record<string, unknown> {
  return {
    name: 'Clone the wiki',
    run: [
      'if ! git clone --quiet "https://x-access-token:${GITHUB_TOKEN}@github.com/${GITHUB_REPOSITORY}.wiki.git" "$RUNNER_TEMP/wiki"; then',
      '  echo "::error::No wiki repository: turn on Wikis (Settings > General > Features) and save a first page by hand once, then re-run this workflow."',
      '  exit 1',
      'fi',
    ].join('\n'),
    env: { GITHUB_TOKEN: expr('github.token') },
  };
}

/**
 * The Audit page, only when the repository has the audit database secret: the secret reaches
 * one step that says whether it is set, and the export step itself, never the other steps.
 * The period starts on the first day of the previous quarter (UTC).
 */
function auditPageSteps(): Record<string, unknown>[] {
  return [
    {
      name: 'Is there an audit database?',
      id: 'audit-db',
      run: 'if [ -n "$RUNBOOK_AUDIT_DB" ]; then echo "configured=true" >> "$GITHUB_OUTPUT"; fi',
      env: { RUNBOOK_AUDIT_DB: expr('secrets.RUNBOOK_AUDIT_DB') },
    },
    {
      name: 'Write the Audit page (since the start of the previous quarter)',
      if: "steps.audit-db.outputs.configured == 'true'",
      run: [
        'year=$(date -u +%Y); month=$((10#$(date -u +%m)))',
        'first=$(( (month - 1) / 3 * 3 - 2 ))',
        'if [ "$first" -lt 1 ]; then first=$((first + 12)); year=$((year - 1)); fi',
        'since=$(printf "%04d-%02d-01" "$year" "$first")',
        'npx --no runbook audit export --since "$since" --format md --out "$RUNNER_TEMP/wiki/Audit.md"',
      ].join('\n'),
      env: { RUNBOOK_AUDIT_DB: expr('secrets.RUNBOOK_AUDIT_DB') },
    },
  ];
}

/** Commit and push only when a page changed: an unchanged wiki gets no empty commit. */
function publishStep(): Record<string, unknown> {
  return {
    name: 'Publish',
    run: [
      'cd "$RUNNER_TEMP/wiki"',
      'git add --all',
      'if git diff --cached --quiet; then echo "The wiki is up to date."; exit 0; fi',
      `${botGit} commit --quiet -m "Publish the runbook docs of $GITHUB_SHA"`,
      'git push --quiet origin HEAD',
    ].join('\n'),
  };
}
