import { checkoutAction, setupNodeAction, uploadArtifactAction, usesOf } from './pinned-actions.js';
import { data, expr, literal } from './workflow-yaml.js';

/**
 * The job every generated workflow runs: check out, install the locked dependencies, run one
 * `npx --no runbook …` command with everything it needs in `env:`, keep the audit log.
 */

/**
 * Node.js major the workflows install: 24, the Active LTS line (Node 20 reached its end of life on
 * 2026-04-30; a dependency already declares `node >= 22`). Keep within `engines.node`.
 */
export const nodeVersion = 24;

/** Where the executor writes journals and audit logs (executor/audit/file-sink.ts). */
export const auditDir = '.runbook/runs/';

/**
 * Days GitHub keeps the audit artifact: 90, GitHub's default limit (private repositories may allow
 * up to 400). 001 "Compliance and Retention" asks for longer: the PostgreSQL audit sink
 * (`--audit-db`) or an export of the artifact is where long-term retention belongs.
 */
export const auditRetentionDays = 90;

/** What differs between the jobs of the generated workflows. */
export interface RunJobOptions {
  /** The one shell command, e.g. `npx --no runbook run failover --inputs-from-env`. */
  readonly command: string;
  readonly stepName: string;
  /** Variables of the command's step: inputs, flags, secrets. `GITHUB_TOKEN` is added. */
  readonly env: Readonly<Record<string, unknown>>;
  readonly environment?: string;
  /** 0 = the whole history (needed to compare commits). Default: the checked-out commit only. */
  readonly fetchDepth?: number;
  /** Upload `.runbook/runs/` when the job ends, whatever happened. */
  readonly uploadAudit: boolean;
  readonly if?: string;
}

/** The single job of a generated workflow. */
export function runJob(o: RunJobOptions): Record<string, unknown> {
  // A `${{ }}` in a script is how workflow injection happens: values travel through env: only.
  if (o.command.includes('${{')) throw new Error(`internal error: expression in a run: script (${o.command})`);
  return {
    ...(o.if ? { if: o.if } : {}),
    'runs-on': 'ubuntu-latest',
    ...(o.environment ? { environment: data(o.environment) } : {}),
    steps: [
      ...setupSteps(o.fetchDepth),
      verifyGeneratedStep(),
      {
        name: o.stepName,
        run: o.command,
        env: { ...o.env, ...githubIdentityEnv(), GITHUB_TOKEN: expr('github.token') },
      },
      ...(o.uploadAudit ? [uploadAuditStep()] : []),
    ],
  };
}

/**
 * Who approves (README "Who may approve"): a members-read token when the repository has the
 * secret, so live team membership decides; unset, it is empty and the Directory decides. No
 * RUNBOOK_GITHUB_BOT: these jobs post with `github.token`, whose author is `github-actions[bot]`,
 * the default.
 */
export function githubIdentityEnv(): Record<string, string> {
  return { RUNBOOK_GITHUB_MEMBERS_TOKEN: expr('secrets.RUNBOOK_GITHUB_MEMBERS_TOKEN') };
}

/**
 * Checkout (without leaving the token in .git/config), Node.js with the npm cache, `npm ci`.
 * The same steps serve this tool's own repository and an adopter's: `npm ci` installs from the
 * root's lockfile; here it also runs the root's `prepare` (compiles dist/), in an adopter's it
 * installs the packed tool, whose dist/ is shipped, so no build step. `npx --no runbook` then runs the
 * root package's own bin here and node_modules/.bin/runbook there (test/adopter/adopter.test.ts
 * runs an adopter's job step by step).
 */
export function setupSteps(fetchDepth?: number): Record<string, unknown>[] {
  return [
    {
      name: 'Check out',
      uses: usesOf(checkoutAction),
      with: { ...(fetchDepth !== undefined ? { 'fetch-depth': fetchDepth } : {}), 'persist-credentials': false },
    },
    { name: 'Set up Node.js', uses: usesOf(setupNodeAction), with: { 'node-version': nodeVersion, cache: 'npm' } },
    { name: 'Install', run: 'npm ci' },
  ];
}

/**
 * Before the first step of a run: `generated/` must be exactly what compiling the checked-out
 * sources gives. A graph edited by hand (with its hash recomputed) or left stale by a merge would
 * otherwise run something nobody reviewed. `runbook run` checks this itself too; the step makes
 * the refusal visible as its own failed step, before any secret is handed to a process.
 */
export function verifyGeneratedStep(): Record<string, unknown> {
  return { name: 'Verify generated files', run: 'npx --no runbook compile --check' };
}

/**
 * The audit log as an artifact, also when the run failed or was cancelled: that is when it matters.
 * `.runbook` is a hidden folder, which upload-artifact skips unless told otherwise. The attempt is
 * in the name so that re-running the job does not collide with the earlier attempt's artifact.
 */
export function uploadAuditStep(): Record<string, unknown> {
  return {
    name: 'Upload audit log',
    if: 'always()',
    uses: usesOf(uploadArtifactAction),
    with: {
      name: `audit-${expr('github.run_id')}-${expr('github.run_attempt')}`,
      path: literal(auditDir),
      'include-hidden-files': true,
      'if-no-files-found': 'warn',
      'retention-days': auditRetentionDays,
    },
  };
}

/**
 * `NAME: ${{ secrets.NAME }}` for each secret, sorted. `GITHUB_TOKEN` is the job's own token
 * (`github.token`, added by `runJob`), not a repository secret.
 */
export function secretsEnv(secrets: Iterable<string>): Record<string, string> {
  const names = [...new Set(secrets)].filter((s) => s !== 'GITHUB_TOKEN').sort();
  return Object.fromEntries(names.map((name) => [name, expr(`secrets.${name}`)]));
}
