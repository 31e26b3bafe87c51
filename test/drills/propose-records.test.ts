import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runSteps, type JobStep } from '../adopter/local-runner.js';
import { bin, cliEnv } from '../support/cli.js';

/**
 * The drill calendar's `propose-records` job (issue 14, item 5), its generated step run as written
 * (test/adopter/local-runner.ts) in a checkout of a repository whose drills wrote a record and a
 * report this run: a fake `gh` on PATH serves the run's artifacts (laid out as `gh run download
 * --pattern` lays them out: one folder per artifact) and records `gh pr create`; the push goes,
 * through git's `url.<base>.insteadOf`, to a local bare repository standing in for github.com.
 */
const fixtureTree = join(import.meta.dirname, '..', 'fixtures', 'drills', 'tree');
const newRun = '20260115-140000-region-failover-a1b2';
const token = 'test-token-not-a-secret';
let work: string;
let origin: string;
let checkout: string;
let artifacts: string;
let runnerTemp: string;

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...cliEnv(), ...identity }, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}:\n${r.stderr}`);
  return r.stdout;
}
const identity = {
  GIT_AUTHOR_NAME: 'Adopter',
  GIT_AUTHOR_EMAIL: 'adopter@example.com',
  GIT_COMMITTER_NAME: 'Adopter',
  GIT_COMMITTER_EMAIL: 'adopter@example.com',
};

/** `gh run download RUN --pattern P --dir D` copies $FAKE_ARTIFACTS/* into D (fails when none); `gh pr create` logs. */
const fakeGh = `#!/bin/bash
set -e
if [ "$1 $2" = "run download" ]; then
  [ "$3" = "$GITHUB_RUN_ID" ] && [ "$4" = --pattern ] && [ "$5" = "drills-$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT-*" ] || { echo "bad call: $*" >&2; exit 2; }
  [ -n "$(ls -A "$FAKE_ARTIFACTS" 2>/dev/null)" ] || { echo "no valid artifacts found to download" >&2; exit 1; }
  mkdir -p "$7" && cp -R "$FAKE_ARTIFACTS"/. "$7"/
  exit 0
fi
if [ "$1 $2" = "pr create" ]; then printf '%s\\n' "token=$GH_TOKEN repo=$GH_REPO" "$@" >> "$FAKE_GH_LOG"; exit 0; fi
echo "unexpected gh call: $*" >&2; exit 2
`;

function step(): JobStep {
  const wf = parse(readFileSync(join(checkout, '.github/workflows/runbook-drills.yml'), 'utf8')) as {
    jobs: { 'propose-records': { steps: JobStep[] } };
  };
  const steps = wf.jobs['propose-records'].steps;
  return steps[steps.length - 1];
}

async function propose(attempt = '1') {
  writeFileSync(join(runnerTemp, 'github-env'), '');
  rmSync(join(runnerTemp, 'drills'), { recursive: true, force: true });
  const env = Object.fromEntries(Object.entries(cliEnv()).filter(([k]) => !/^(npm_|GIT_)/i.test(k)));
  const [outcome] = await runSteps([step()], {
    cwd: checkout,
    env: {
      ...env,
      npm_config_offline: 'true',
      PATH: `${join(work, 'fake-bin')}:${env.PATH ?? ''}`,
      FAKE_ARTIFACTS: artifacts,
      FAKE_GH_LOG: join(work, 'gh.log'),
      GITHUB_RUN_ID: '777',
      GITHUB_RUN_ATTEMPT: attempt,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_ENV: join(runnerTemp, 'github-env'),
      RUNNER_TEMP: runnerTemp,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `url.file://${origin}.insteadOf`,
      GIT_CONFIG_VALUE_0: `https://x-access-token:${token}@github.com/o/r.git`,
    },
    contexts: { inputs: {}, github: { token, repository: 'o/r', ref_name: 'main' }, secrets: {} },
    uses: () => {
      throw new Error('no action expected');
    },
  });
  expect(outcome.code, outcome.output).toBe(0);
  return outcome.output;
}

const ghLog = () => {
  try {
    return readFileSync(join(work, 'gh.log'), 'utf8');
  } catch {
    return '';
  }
};

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runbook-propose-'));
  checkout = join(work, 'checkout');
  origin = join(work, 'origin.git');
  artifacts = join(work, 'artifacts');
  runnerTemp = join(work, 'runner-temp');
  mkdirSync(runnerTemp);
  mkdirSync(join(work, 'fake-bin'));
  writeFileSync(join(work, 'fake-bin', 'gh'), fakeGh);
  chmodSync(join(work, 'fake-bin', 'gh'), 0o755);
  // The repository before the drill: the fixture tree without this run's record and report, compiled.
  cpSync(fixtureTree, checkout, { recursive: true });
  rmSync(join(checkout, 'drills', 'records', `${newRun}.json`));
  rmSync(join(checkout, 'drills', 'reports', `${newRun}.md`));
  writeFileSync(join(checkout, 'package.json'), '{ "name": "adopter", "private": true }\n');
  writeFileSync(join(checkout, '.gitignore'), 'node_modules/\n');
  mkdirSync(join(checkout, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(bin, join(checkout, 'node_modules', '.bin', 'runbook'));
  const compile = spawnSync(process.execPath, [bin, 'compile'], { cwd: checkout, encoding: 'utf8', env: cliEnv() });
  if (compile.status !== 0) throw new Error(`compile failed:\n${compile.stdout}${compile.stderr}`);
  git(work, 'init', '--quiet', '--bare', origin);
  git(checkout, 'init', '--quiet', '-b', 'main');
  git(checkout, 'add', '--all');
  git(checkout, 'commit', '--quiet', '-m', 'Runbooks');
  git(checkout, 'push', '--quiet', origin, 'main');
  // What the drill job uploaded: its whole drills/ folder, the new record and report included.
  const uploaded = join(artifacts, 'drills-777-1-drill-region-failover');
  cpSync(join(fixtureTree, 'drills'), uploaded, { recursive: true });
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('propose-records: drill records come back as a pull request', () => {
  it('pushes runbook/drill-records/<run id> with the record, the report and the recompiled docs, and opens the pull request', async () => {
    await propose();
    const branch = 'runbook/drill-records/777';
    expect(git(origin, 'log', '-1', '--format=%an <%ae>|%s', branch).trim()).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|Drill records and reports of run 777',
    );
    const changed = git(origin, 'diff', '--name-only', 'main', branch).trim().split('\n');
    expect(changed).toEqual(
      expect.arrayContaining([
        `drills/records/${newRun}.json`,
        `drills/reports/${newRun}.md`,
        `generated/docs/Drill-${newRun}.md`,
        'generated/docs/Home.md',
      ]),
    );
    expect(changed.every((p) => p.startsWith('drills/') || p.startsWith('generated/'))).toBe(true);
    const log = ghLog().split('\n');
    expect(log[0]).toBe(`token=${token} repo=o/r`);
    expect(log.slice(1, 7)).toEqual(['pr', 'create', '--base', 'main', '--head', branch]);
    expect(ghLog()).toContain('https://github.com/o/r/actions/runs/777');
    expect(git(origin, 'log', '--all', '-p').includes(token)).toBe(false);
  }, 120_000);

  it('opens nothing when the drills wrote nothing new, or nothing at all', async () => {
    git(checkout, 'switch', '--quiet', 'main');
    git(checkout, 'reset', '--quiet', '--hard', 'main');
    rmSync(join(work, 'gh.log'), { force: true });
    rmSync(join(artifacts, 'drills-777-1-drill-region-failover', 'records', `${newRun}.json`));
    rmSync(join(artifacts, 'drills-777-1-drill-region-failover', 'reports', `${newRun}.md`));
    expect(await propose('2')).toContain('No new drill records or reports.');
    rmSync(artifacts, { recursive: true, force: true });
    expect(await propose('2')).toContain('No drill records or reports in this run.');
    expect(ghLog()).toBe('');
    expect(git(origin, 'branch', '--list', 'runbook/*').trim()).toBe('runbook/drill-records/777');
  }, 120_000);
});
