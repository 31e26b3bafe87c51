import { spawnSync } from 'node:child_process';
import { spawnAsync } from '../support/spawn-async.js';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { noPostgres, skipReason } from '../executor/pg/context.js';
import { newAuditDatabase, query } from '../support/audit-db.js';
import { cliEnv } from '../support/cli.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { runSteps, type JobStep, type StepOutcome } from './local-runner.js';
import { writeOfflineLockfile } from './offline-lockfile.js';

/**
 * An adopter, end to end: this package packed (`npm pack`), the README's "Adopting it" lines run
 * as written in an empty folder (init, npm install, compile, commit), then one generated workflow
 * (the starter runbook's) executed step by step on this machine with the environment GitHub sets,
 * against the fake GitHub, in a fresh clone of what was committed (as actions/checkout leaves it:
 * no node_modules/, nothing outside the repository), so its `npm ci` installs the vendored tarball
 * from the committed lockfile.
 *
 * No registry: npm runs with `--offline` (npm_config_offline) and `offline-lockfile.ts` writes the
 * adopter's lockfile from this repository's, so every tarball comes from the npm cache that this
 * checkout's `npm ci` filled (.ci/run runs it first). The pack uses `--ignore-scripts`: `prepare`
 * would rebuild dist/ while other test files run the built CLI from it; `npm test` builds first.
 */
const repoRoot = join(import.meta.dirname, '..', '..');
const tool = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
const tarballName = `${tool.name}-${tool.version}.tgz`;
const gitIdentity = {
  GIT_AUTHOR_NAME: 'Adopter',
  GIT_AUTHOR_EMAIL: 'adopter@example.com',
  GIT_COMMITTER_NAME: 'Adopter',
  GIT_COMMITTER_EMAIL: 'adopter@example.com',
};

/** The test runner's environment without what npm (`npm test`) and GitHub put in it, npm offline. */
function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(cliEnv()).filter(([k]) => !/^npm_/i.test(k)));
  return {
    ...env,
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...gitIdentity,
    ...extra,
  };
}

/** The shell lines of the README block that follows `<!-- adopter-test: repository -->`. */
function readmeLines(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const block = /<!-- adopter-test: repository -->\s*```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no "adopter-test: repository" block');
  return block[1]
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

async function sh(line: string, cwd: string): Promise<void> {
  const r = await spawnAsync('bash', ['-e', '-c', line], { cwd, env: baseEnv(), timeoutMs: 120_000 });
  const hint = /ENOTCACHED/.test(r.stderr)
    ? '\nhint: the npm cache lacks a tarball of the lockfile: run `npm ci` in this checkout first (it fills the cache)'
    : '';
  if (r.status !== 0) throw new Error(`\`${line}\` failed (${r.status}) in ${cwd}:\n${r.stdout}\n${r.stderr}${hint}`);
}

let tmp = '';
let adopter = '';
let fake: FakeGithub | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'runbook-adopter-'));
  // The clone the README's first block makes: its bin (the built CLI) and the packed tarball.
  const clone = join(tmp, 'runbook-as-code');
  mkdirSync(clone);
  symlinkSync(join(repoRoot, 'bin'), join(clone, 'bin'));
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js')))
    throw new Error('dist/ is not built: run `npm run build` first');
  const pack = await spawnAsync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', clone], {
    cwd: repoRoot,
    env: baseEnv(),
    timeoutMs: 120_000,
  });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  let cwd = tmp;
  for (const line of readmeLines()) {
    const cd = /^cd (\S+)$/.exec(line);
    if (cd) {
      cwd = join(cwd, cd[1]);
      continue;
    }
    if (line === 'npm install') writeOfflineLockfile(repoRoot, cwd, join(cwd, 'vendor', tarballName));
    await sh(line, cwd);
    if (!adopter && /^mkdir \S+$/.test(line)) adopter = join(cwd, line.slice(6)); // the first folder made is the repository
  }
}, 300_000);

afterAll(async () => {
  await fake?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('an adopter repository (README "Adopting it", packed tarball)', () => {
  it('names the tarball npm pack writes', () => {
    expect(readmeLines().join('\n')).toContain(tarballName);
  });

  it('installed the tool from the tarball, without its dev dependencies, and compiled its runbooks', () => {
    const installed = join(adopter, 'node_modules', tool.name);
    expect(existsSync(join(installed, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(installed, 'schemas', 'runbook.schema.json'))).toBe(true);
    expect(existsSync(join(adopter, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(adopter, 'node_modules', 'typescript'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(adopter, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies[tool.name]).toBe(`file:./vendor/${tarballName}`); // inside the repository: CI checks out only it
    for (const f of [
      'generated/graphs/service-health-check.json',
      '.github/workflows/runbook-service-health-check.yml',
      '.github/CODEOWNERS',
    ]) {
      expect(existsSync(join(adopter, f)), f).toBe(true);
    }
    const status = spawnSync('git', ['status', '--porcelain'], { cwd: adopter, encoding: 'utf8' });
    expect(status.stdout).toBe(''); // everything committed; .runbook/ and node_modules/ ignored
  });

  it('runs the runbook workflow step by step as a GitHub runner would: summary written, audit log where the upload looks', async () => {
    fake = await startFakeGithub({ repository: 'my-org/my-runbooks' });
    // actions/checkout: a fresh clone of what was committed, without node_modules/, away from the tool's clone.
    const workspace = join(tmp, 'runner', 'work', 'my-runbooks');
    mkdirSync(dirname(workspace), { recursive: true });
    expect(spawnSync('git', ['clone', '-q', adopter, workspace], { encoding: 'utf8' }).status).toBe(0);
    expect(existsSync(join(workspace, 'node_modules'))).toBe(false);
    const workflow = parse(
      readFileSync(join(workspace, '.github/workflows/runbook-service-health-check.yml'), 'utf8'),
    ) as { jobs: Record<string, { steps: JobStep[] }> };
    const steps = workflow.jobs.run.steps;
    const runnerTemp = join(tmp, 'runner-temp');
    mkdirSync(runnerTemp);
    const files = { GITHUB_STEP_SUMMARY: 'summary.md', GITHUB_OUTPUT: 'output', GITHUB_ENV: 'env' };
    for (const f of Object.values(files)) writeFileSync(join(runnerTemp, f), '');
    const env = baseEnv({
      ...Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(runnerTemp, f)])),
      ...(fake.env() as Record<string, string>),
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'runbook service-health-check',
      GITHUB_REF: 'refs/heads/main',
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
    });
    delete env.GITHUB_TOKEN; // only the steps that map it get it (`env: GITHUB_TOKEN: ${{ github.token }}`)
    const uploads: string[] = [];
    // No audit database here: the repository secret RUNBOOK_ALLOW_LOCAL_LOCK accepts the runner's
    // file lock, as an adopter without one sets it (README); without it, CI refuses the run.
    const outcomes = await runSteps(steps, {
      cwd: workspace,
      env,
      contexts: {
        inputs: { service: 'checkout-api', dry_run: 'false', drill: 'false' },
        github: { token: fake.env().GITHUB_TOKEN as string, run_id: '4242', run_attempt: '1' },
        secrets: { RUNBOOK_ALLOW_LOCAL_LOCK: 'allow-local-lock' },
      },
      uses: (s) => usesStep(s, workspace, uploads),
    });
    const failed = outcomes.filter((o) => o.code !== 0);
    expect(failed, report(outcomes)).toEqual([]);
    expect(outcomes.map((o) => o.name)).toEqual(steps.map((s) => s.name));
    expect(steps.find((s) => s.name === 'Install')?.run).toBe('npm ci');
    expect(steps.some((s) => /npm run build|\btsc\b/.test(s.run ?? ''))).toBe(false);

    expect(uploads).toEqual(['.runbook/runs/']);
    const runs = readdirSync(join(workspace, '.runbook/runs'));
    expect(runs).toHaveLength(1);
    expect(existsSync(join(workspace, '.runbook/runs', runs[0], 'audit.jsonl'))).toBe(true);
    const summary = readFileSync(join(runnerTemp, 'summary.md'), 'utf8');
    expect(summary).toContain('Service health check: succeeded');
    expect(summary).toContain(runs[0]);
    const run = outcomes.find((o) => o.name === 'Run service-health-check') as StepOutcome;
    expect(run.output).toContain('checking checkout-api');
    // The run reached GitHub through GITHUB_API_URL with the job token: its tracking issue and progress.
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toContain('POST /repos/my-org/my-runbooks/issues');
    expect([...fake.issues.values()].some((i) => i.body.includes(runs[0]))).toBe(true);
  }, 180_000);
});

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'an adopter resuming a run on a new runner', () => {
  let cluster: PgCluster | undefined;
  afterAll(async () => cluster?.stop(), 60_000);

  it('the generated runbook-resume.yml, on a fresh clone with no .runbook/, continues a run from the audit database', async () => {
    cluster = await startPostgres();
    const password = 'adopter-Writer-' + Math.random().toString(36).slice(2);
    await query(cluster.primaryUrl, `CREATE ROLE adopter_writer LOGIN PASSWORD '${password}'`);
    const db = await newAuditDatabase(cluster, 'adopter_audit', { user: 'adopter_writer', password });
    // Runner A: a run journaled in the database; then, as if A died just after `announce` started,
    // the database keeps only the records up to its step:start (removed as the table's owner can).
    const runnerA = join(tmp, 'runner-a');
    expect(spawnSync('git', ['clone', '-q', adopter, runnerA], { encoding: 'utf8' }).status).toBe(0);
    symlinkSync(join(adopter, 'node_modules'), join(runnerA, 'node_modules'));
    const first = await spawnAsync(
      join(runnerA, 'node_modules/.bin/runbook'),
      ['run', 'service-health-check', '-i', 'service=orders-api', '--as', '@alice', '--audit-db', db.writer],
      { cwd: runnerA, env: baseEnv(), timeoutMs: 90_000 },
    );
    expect(first.status, first.stdout + first.stderr).toBe(0);
    const runId = /run id: (\S+)/.exec(first.stdout + first.stderr)![1];
    // The chain heads the run published after that point go too: a dead runner publishes none.
    const cut = `(SELECT seq FROM runbook_audit WHERE run_id = '${runId}' AND type = 'step:start' AND step_id = 'announce')`;
    await query(
      db.admin,
      `SET session_replication_role = replica;
       DELETE FROM runbook_audit_anchor WHERE run_id = '${runId}' AND seq > ${cut};
       DELETE FROM runbook_audit WHERE run_id = '${runId}' AND seq > ${cut}`,
    );
    // Runner B: a fresh clone, the resume workflow's job of that runbook, step by step.
    const workspace = join(tmp, 'runner-b', 'my-runbooks');
    mkdirSync(dirname(workspace), { recursive: true });
    expect(spawnSync('git', ['clone', '-q', adopter, workspace], { encoding: 'utf8' }).status).toBe(0);
    const workflow = parse(readFileSync(join(workspace, '.github/workflows/runbook-resume.yml'), 'utf8')) as {
      jobs: Record<string, { if?: string; steps: JobStep[] }>;
    };
    const job = workflow.jobs['resume-service-health-check'];
    expect(job.if).toBe("inputs.runbook == 'service-health-check'");
    const runnerTemp = join(tmp, 'runner-b-temp');
    mkdirSync(runnerTemp);
    writeFileSync(join(runnerTemp, 'env'), '');
    const env = baseEnv({
      GITHUB_ENV: join(runnerTemp, 'env'),
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTOR: 'bob',
      RUNNER_TEMP: runnerTemp,
    });
    delete env.RUNBOOK_ALLOW_LOCAL_LOCK; // the database is the lock here
    const uploads: string[] = [];
    const outcomes = await runSteps(job.steps, {
      cwd: workspace,
      env,
      contexts: {
        inputs: { run_id: runId, runbook: 'service-health-check', decide: 'announce=rerun' },
        github: { token: 'unused', run_id: '4343', run_attempt: '1' },
        secrets: { RUNBOOK_AUDIT_DB: db.writer },
      },
      uses: (st) => usesStep(st, workspace, uploads),
    });
    expect(
      outcomes.filter((o) => o.code !== 0),
      report(outcomes),
    ).toEqual([]);
    const resumed = outcomes.find((o) => o.name === 'Resume a run of service-health-check') as StepOutcome;
    expect(resumed.output).toContain('checking orders-api'); // the run's own input, from the database
    expect(resumed.output).toMatch(/record\(s\) only the database held written to the file/);
    expect(uploads).toEqual(['.runbook/runs/']);
    expect(existsSync(join(workspace, '.runbook/runs', runId, 'audit.jsonl'))).toBe(true);
    const verify = spawnSync(
      join(workspace, 'node_modules/.bin/runbook'),
      ['audit', 'verify', '--db', db.admin, '--run', runId],
      { cwd: workspace, env: baseEnv(), encoding: 'utf8' },
    );
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/chain intact, run complete/);
  }, 300_000);
});

/** A runbook with an approval gate that parks at once (parkAfter 1s), for the approval workflow. */
const gatedRunbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: approve-me, title: Approve me, owner: "@my-org/sre", tier: standard }
spec:
  objectives: { rto: 15m }
  approvals: { approvers: ["@jane-doe"], required: 1, timeout: 10m, parkAfter: 1s }
  phases:
    - id: only
      budget: 5m
      steps:
        - id: go
          approval: { message: Go ahead? }
          run: echo "went ahead"
          timeout: 30s
          estimate: 1s
`;

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'an adopter approving a parked run by a comment', () => {
  let cluster: PgCluster | undefined;
  let github: FakeGithub | undefined;
  afterAll(async () => {
    await github?.close();
    await cluster?.stop();
  }, 60_000);

  /** A clone of `origin` sharing the adopter's installed tool (runner A; the origin's own compile). */
  function cloneWithTool(origin: string, dir: string): string {
    expect(spawnSync('git', ['clone', '-q', origin, dir], { encoding: 'utf8' }).status).toBe(0);
    symlinkSync(join(adopter, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  }

  it('the generated runbook-approve.yml, on an /approve comment, routes it and resumes the parked run on a fresh clone', async () => {
    cluster = await startPostgres({ standby: false });
    const password = 'approve-Writer-' + Math.random().toString(36).slice(2);
    await query(cluster.primaryUrl, `CREATE ROLE approve_writer LOGIN PASSWORD '${password}'`);
    const db = await newAuditDatabase(cluster, 'approve_audit', { user: 'approve_writer', password });
    github = await startFakeGithub({ repository: 'my-org/my-runbooks' });
    github.user('jane-doe');
    // The adopter adds a gated runbook, compiles (runbook-approve.yml gets its job) and commits.
    const origin = cloneWithTool(adopter, join(tmp, 'gated-origin'));
    writeFileSync(join(origin, 'runbooks/approve-me.yaml'), gatedRunbook);
    const tool = (cwd: string, args: string[], env: NodeJS.ProcessEnv) =>
      spawnAsync(join(cwd, 'node_modules/.bin/runbook'), args, { cwd, env, timeoutMs: 90_000 });
    expect((await tool(origin, ['compile'], baseEnv())).status).toBe(0);
    await sh("git add -A -- . ':!node_modules' && git commit -q -m 'A gated runbook'", origin);
    // Runner A: the run parks at its gate (no runner held), its tracking issue names the command.
    const runnerA = cloneWithTool(origin, join(tmp, 'gated-a'));
    const a = await tool(runnerA, ['run', 'approve-me', '--audit-db', db.writer], {
      ...baseEnv(github.env({ GITHUB_ACTOR: 'alice' }) as Record<string, string>),
    });
    expect(a.status, a.stdout + a.stderr).toBe(0);
    expect(a.stderr).toContain('waiting for approval of go');
    const runId = /run id: (\S+)/.exec(a.stdout + a.stderr)![1];
    const issue = [...github.issues.values()].find((i) => i.body.includes(runId))!.number;
    const c = github.addComment(issue, 'jane-doe', '/approve go');
    const runnerTemp = join(tmp, 'gated-b-temp');
    mkdirSync(runnerTemp);
    const event = join(runnerTemp, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({
        action: 'created',
        issue: { number: issue, title: 'Run', state: 'open' },
        comment: {
          id: c.id,
          body: '/approve go',
          author_association: 'MEMBER',
          user: { login: 'jane-doe', type: 'User' },
          html_url: `https://github.example/my-org/my-runbooks/issues/${issue}#issuecomment-${c.id}`,
        },
        repository: { full_name: 'my-org/my-runbooks' },
        sender: { login: 'jane-doe', type: 'User' },
      }),
    );
    // Runner B: a fresh clone (npm ci from the lockfile, no .runbook/), the workflow's jobs in order.
    const workspace = join(tmp, 'gated-b', 'my-runbooks');
    mkdirSync(dirname(workspace), { recursive: true });
    expect(spawnSync('git', ['clone', '-q', origin, workspace], { encoding: 'utf8' }).status).toBe(0);
    const workflow = parse(readFileSync(join(workspace, '.github/workflows/runbook-approve.yml'), 'utf8')) as {
      jobs: Record<string, { if?: string; steps: JobStep[] }>;
    };
    expect(workflow.jobs.route.if).toContain("github.event.comment.user.type != 'Bot'");
    const job = workflow.jobs['resume-approve-me'];
    expect(job.if).toBe("needs.route.outputs.runbook == 'approve-me'");
    for (const f of ['env', 'output']) writeFileSync(join(runnerTemp, f), '');
    const env = baseEnv({
      ...(github.env({ GITHUB_ACTOR: 'jane-doe' }) as Record<string, string>),
      GITHUB_ENV: join(runnerTemp, 'env'),
      GITHUB_OUTPUT: join(runnerTemp, 'output'),
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_NAME: 'issue_comment',
      GITHUB_EVENT_PATH: event,
      RUNNER_TEMP: runnerTemp,
    });
    delete env.GITHUB_TOKEN; // only the steps that map it get it
    delete env.RUNBOOK_ALLOW_LOCAL_LOCK; // the database is the lock here
    const uploads: string[] = [];
    const contexts = {
      inputs: {},
      github: { token: github.env().GITHUB_TOKEN as string, run_id: '4545', run_attempt: '1' },
      secrets: { RUNBOOK_AUDIT_DB: db.writer },
    };
    const run = (steps: JobStep[]) =>
      runSteps(steps, { cwd: workspace, env, contexts, uses: (st) => usesStep(st, workspace, uploads) });
    const routed = await run(workflow.jobs.route.steps);
    expect(
      routed.filter((o) => o.code !== 0),
      report(routed),
    ).toEqual([]);
    expect(readFileSync(join(runnerTemp, 'output'), 'utf8')).toMatch(/^runbook=approve-me$/m);
    const resumed = await run(job.steps);
    expect(
      resumed.filter((o) => o.code !== 0),
      report(resumed),
    ).toEqual([]);
    expect(resumed.find((o) => o.name === 'Resume approve-me')?.output).toContain('went ahead');
    expect(uploads).toEqual(['.runbook/runs/']);
    const verify = await tool(runnerA, ['audit', 'verify', '--db', db.admin, '--run', runId], baseEnv());
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/chain intact, run complete/);
  }, 300_000);
});

describe('upgrading (an adopter repository whose generated files an older version wrote)', () => {
  it('compile --check names each file that would change and exits 1; compile regenerates them', async () => {
    // Stand-in for an upgrade: the files as an older version might have generated them.
    const workflow = join(adopter, '.github/workflows/runbook-service-health-check.yml');
    const graph = join(adopter, 'generated/graphs/service-health-check.json');
    writeFileSync(workflow, readFileSync(workflow, 'utf8').replace('npm ci', 'npm ci && npm run build'));
    rmSync(graph);
    const runbook = (...args: string[]) =>
      spawnAsync(join(adopter, 'node_modules/.bin/runbook'), args, { cwd: adopter, env: baseEnv(), timeoutMs: 90_000 });
    const check = await runbook('compile', '--check');
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/^ {2}changed +\.github\/workflows\/runbook-service-health-check\.yml$/m);
    expect(check.stderr).toMatch(/^ {2}missing +generated\/graphs\/service-health-check\.json$/m);
    expect(check.stderr.match(/^ {2}(changed|missing|orphaned) /gm)).toHaveLength(2);
    expect((await runbook('compile')).status).toBe(0);
    expect((await runbook('compile', '--check')).status).toBe(0);
    expect(spawnSync('git', ['status', '--porcelain'], { cwd: adopter, encoding: 'utf8' }).stdout).toBe('');
  }, 200_000);

  it('checks a pull request that only bumps the tool (package.json, lockfile): its compile --check runs', () => {
    const pr = parse(readFileSync(join(adopter, '.github/workflows/runbook-pr.yml'), 'utf8')) as {
      on: { pull_request: { paths: string[] } };
      jobs: { plan: { steps: JobStep[] } };
    };
    expect(pr.on.pull_request.paths).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    expect(pr.jobs.plan.steps.map((s) => s.run)).toContain('npx --no runbook compile --check');
  });
});

/** What the pinned actions do on a runner: the checkout is `workspace` already, node is on PATH. */
function usesStep(step: JobStep, workspace: string, uploads: string[]): void {
  const action = (step.uses ?? '').split('@')[0];
  if (action === 'actions/checkout') expect(step.with?.['persist-credentials']).toBe('false');
  else if (action === 'actions/setup-node')
    expect(step.with?.cache).toBe('npm'); // needs the committed lockfile
  else if (action === 'actions/upload-artifact') {
    const path = String(step.with?.path);
    expect(existsSync(join(workspace, path)), `upload path ${path}`).toBe(true);
    expect(step.with?.['include-hidden-files']).toBe('true');
    uploads.push(path);
  } else throw new Error(`no local stand-in for ${step.uses}`);
}

function report(outcomes: StepOutcome[]): string {
  return outcomes.map((o) => `${o.name}: ${o.code}\n${o.output}`).join('\n');
}
