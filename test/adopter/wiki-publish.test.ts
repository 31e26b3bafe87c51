import { spawnSync } from 'node:child_process';
import {
  cpSync,
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
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bin, cliEnv } from '../support/cli.js';
import { brokenLinks, internalLinkCount } from '../support/link-check.js';
import { runSteps, type JobStep, type StepOutcome } from './local-runner.js';

/**
 * Publishing the wiki in an adopter's repository (issue 14, item 5): a fresh repository holding
 * only `runbooks/` (this library's), compiled by the built CLI, then the generated
 * `runbook-wiki.yml` job's own steps run as written (local-runner.ts) against a local stand-in
 * for `OWNER/REPO.wiki.git`: git's `url.<base>.insteadOf` (set through GIT_CONFIG_* variables)
 * sends the workflow's `https://x-access-token:…@github.com/o/r.wiki.git` to a bare repository,
 * which holds, as a wiki created by hand does, a first page, plus a hand-written page and a page
 * of a runbook that no longer exists. `npx --no runbook` finds this checkout's CLI in the
 * adopter's node_modules/.bin, as it finds the installed package there (adopter.test.ts packs
 * and installs it for real; here the subject is the publishing, not the install).
 */
const repository = 'o/r';
const token = 'test-token-not-a-secret';
let work: string;
let adopter: string;
let wikiRemote: string;
let runnerTemp: string;

function git(cwd: string, ...args: string[]): string {
  // The whole wiki history (`log --all -p`) outgrows spawnSync's 1 MiB default buffer as the library grows.
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: gitEnv(), maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}:\n${r.error ?? r.stderr}`);
  return r.stdout;
}

function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...cliEnv(),
    GIT_AUTHOR_NAME: 'Wiki Editor',
    GIT_AUTHOR_EMAIL: 'editor@example.com',
    GIT_COMMITTER_NAME: 'Wiki Editor',
    GIT_COMMITTER_EMAIL: 'editor@example.com',
  };
}

/** The environment GitHub gives the job, and the redirect of the wiki's URL to the bare repository. */
function jobEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(cliEnv()).filter(([k]) => !/^(npm_|GIT_)/i.test(k)));
  return {
    ...env,
    npm_config_offline: 'true',
    GITHUB_REPOSITORY: repository,
    GITHUB_REF_NAME: 'main',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_ENV: join(runnerTemp, 'github-env'),
    GITHUB_OUTPUT: join(runnerTemp, 'github-output'),
    RUNNER_TEMP: runnerTemp,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `url.file://${wikiRemote}.insteadOf`,
    GIT_CONFIG_VALUE_0: `https://x-access-token:${token}@github.com/${repository}.wiki.git`,
  };
}

/** A stand-in for the Audit page `runbook audit export` writes (test/cli/audit-review-db.test.ts tests the export). */
const auditStandIn = `printf '# Audit\\n\\nNo run in the period.\\n' > "$RUNNER_TEMP/wiki/Audit.md"`;

/**
 * The publish job's steps after setup and `compile --check` (checkout and npm ci are the adopter
 * test's subject). Without the audit database secret the Audit steps are skipped: they are left
 * out, as GitHub would. With it (`audit`), the Audit page step stays in its place with a stand-in
 * for the export, which needs the database; its `if:` (the secret is set) then holds.
 */
function publishSteps(audit = false): JobStep[] {
  const workflow = parse(readFileSync(join(adopter, '.github/workflows/runbook-wiki.yml'), 'utf8')) as {
    jobs: { publish: { steps: JobStep[] } };
  };
  const steps = workflow.jobs.publish.steps;
  const from = steps.findIndex((s) => s.name === 'Clone the wiki');
  return steps.slice(from).flatMap((s): JobStep[] => {
    if (!/audit/i.test(s.name ?? '')) return [s];
    if (!audit || s.name === 'Is there an audit database?') return [];
    return [{ name: s.name, run: auditStandIn }];
  });
}

async function publish(audit = false): Promise<StepOutcome[]> {
  rmSync(join(runnerTemp, 'wiki'), { recursive: true, force: true });
  writeFileSync(join(runnerTemp, 'github-env'), '');
  const out = await runSteps(publishSteps(audit), {
    cwd: adopter,
    env: jobEnv(),
    contexts: { inputs: {}, github: { token, repository }, secrets: {} },
    uses: () => {
      throw new Error('no action expected after the setup steps');
    },
  });
  for (const s of out) expect(s.code, `${s.name}:\n${s.output}`).toBe(0);
  return out;
}

const wikiLog = () => git(wikiRemote, 'log', '--format=%an <%ae>|%s', 'HEAD').trim().split('\n');
const wikiFile = (path: string) => spawnSync('git', ['show', `HEAD:${path}`], { cwd: wikiRemote, encoding: 'utf8' });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runbook-wiki-'));
  adopter = join(work, 'adopter');
  runnerTemp = join(work, 'runner-temp');
  mkdirSync(runnerTemp);
  // The adopter: runbooks/ only, then what they run (`runbook compile`) and commit.
  cpSync(join(import.meta.dirname, '..', '..', 'runbooks'), join(adopter, 'runbooks'), { recursive: true });
  writeFileSync(join(adopter, 'package.json'), '{ "name": "adopter", "private": true }\n');
  mkdirSync(join(adopter, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(bin, join(adopter, 'node_modules', '.bin', 'runbook'));
  const compile = spawnSync(process.execPath, [bin, 'compile'], { cwd: adopter, encoding: 'utf8', env: cliEnv() });
  if (compile.status !== 0) throw new Error(`compile failed:\n${compile.stdout}${compile.stderr}`);
  // The wiki as created by hand once (README "Publishing the wiki"), with a page of its own and a stale page.
  wikiRemote = join(work, 'r.wiki.git');
  const seed = join(work, 'wiki-seed');
  git(work, 'init', '--quiet', '--bare', wikiRemote);
  git(work, 'init', '--quiet', seed);
  writeFileSync(join(seed, 'Home.md'), 'Welcome to the r wiki!\n');
  writeFileSync(join(seed, 'Escalation-notes.md'), 'Written by hand.\n');
  writeFileSync(join(seed, 'Runbook-retired.md'), 'A runbook that was removed.\n');
  git(seed, 'add', '--all');
  git(seed, 'commit', '--quiet', '-m', 'Initial Home page');
  git(seed, 'push', '--quiet', wikiRemote, 'HEAD:refs/heads/master');
  git(wikiRemote, 'symbolic-ref', 'HEAD', 'refs/heads/master');
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('publishing the wiki from a fresh repository holding only runbooks/', () => {
  it('pushes every generated page, as github-actions[bot], with links that work on the wiki', async () => {
    const out = await publish();
    expect(out.map((s) => s.name)).toEqual(['Clone the wiki', 'Write the wiki pages', 'Publish']);
    expect(wikiLog()[0]).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|Publish the runbook docs of 0123456789abcdef0123456789abcdef01234567',
    );
    const docs = join(adopter, 'generated', 'docs');
    const names = readdirSync(docs).map((f) => f.slice(0, -3));
    const pages = new Map(names.map((n) => [n, wikiFile(`${n}.md`).stdout]));
    for (const [name, text] of pages) expect(text, name).toContain('<!-- generated by runbook compile');
    expect(internalLinkCount(pages)).toBeGreaterThan(50);
    const exists = (p: string) => existsSync(join(adopter, p));
    expect(brokenLinks(pages, 'wiki', exists)).toEqual([]);
    // The committed pages, read in the repository browser, work too.
    const committed = new Map(names.map((n) => [n, readFileSync(join(docs, `${n}.md`), 'utf8')]));
    expect(brokenLinks(committed, 'repository', exists)).toEqual([]);
  }, 120_000);

  it('keeps hand-written pages, removes generated pages that are gone, and leaves the token out of the wiki', () => {
    expect(wikiFile('Escalation-notes.md').stdout).toBe('Written by hand.\n');
    expect(wikiFile('Runbook-retired.md').status).not.toBe(0);
    expect(git(wikiRemote, 'log', '--all', '-p').includes(token)).toBe(false);
  });

  it('commits nothing when no page changed', async () => {
    const before = wikiLog().length;
    const out = await publish();
    expect(out[out.length - 1].output).toContain('The wiki is up to date.');
    expect(wikiLog()).toHaveLength(before);
  }, 120_000);

  it('with the audit database secret, links the Audit page written before the export from Home and the sidebar', async () => {
    const out = await publish(true);
    expect(out.map((s) => s.name)).toEqual([
      'Clone the wiki',
      'Write the Audit page (since the start of the previous quarter)',
      'Write the wiki pages',
      'Publish',
    ]);
    const names = [...readdirSync(join(adopter, 'generated', 'docs')).map((f) => f.slice(0, -3)), 'Audit'];
    const pages = new Map(names.map((n) => [n, wikiFile(`${n}.md`).stdout]));
    expect(pages.get('_Sidebar')).toContain('- [Audit](/o/r/wiki/Audit)');
    expect(pages.get('Home')).toContain('[Audit](/o/r/wiki/Audit)');
    expect(brokenLinks(pages, 'wiki', (p) => existsSync(join(adopter, p)))).toEqual([]);
    // The committed copy, read in the repository browser, has no Audit page and no link to one.
    expect(readFileSync(join(adopter, 'generated', 'docs', '_Sidebar.md'), 'utf8')).not.toContain('Audit');
  }, 120_000);
});
