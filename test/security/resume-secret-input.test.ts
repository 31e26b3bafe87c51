import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * An input holding a secret's value (a connection URL with the password, pasted as an input) is
 * masked in the journal; `resume` still gets the value in clear (the plan hash confirms it) and
 * the step sees exactly what the first session saw. With another secret value the refusal says
 * so, instead of claiming the runbook changed.
 */
const password = 'pw-Kx81-resumable';
let root: string;
let flag: string;
const cli = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root, '--as', '@ops'], {
    encoding: 'utf8',
    env: cliEnv(env),
    timeout: 60_000,
  });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-resume-secret-'));
  flag = join(root, 'may-pass');
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(
    join(root, 'runbooks', 'connect.yaml'),
    `apiVersion: runbook/v1
kind: Runbook
metadata: { name: connect, owner: "@acme/sre" }
spec:
  inputs: { url: { type: string, required: true } }
  secrets: [DB_PASSWORD]
  phases:
    - id: only
      steps:
        - id: check
          # Passes only when the input arrives whole (the password in clear) and the flag exists.
          run: 'test "$URL" = "postgres://app:$PW@db.internal/app?note=***" && test -e "$FLAG"'
          env: { URL: "{{inputs.url}}", PW: "{{secrets.DB_PASSWORD}}", FLAG: "${flag}" }
`,
  );
  const compiled = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('an input holding a secret value', () => {
  it('is masked in the journal and restored in clear on resume; another secret value is refused with the reason', () => {
    const env = { DB_PASSWORD: password };
    const url = `postgres://app:${password}@db.internal/app?note=***`;
    const run = cli(env, 'run', 'connect', '--input', `url=${url}`);
    expect(run.status, run.stdout + run.stderr).toBe(4);
    const runId = runIdOf(run.stdout);
    const audit = () => readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8');
    expect(audit()).not.toContain(password);

    const rotated = cli({ DB_PASSWORD: 'pw-rotated-since' }, 'resume', runId);
    expect(rotated.status).not.toBe(0);
    expect(rotated.stdout + rotated.stderr).toMatch(/secret/);
    expect(rotated.stdout + rotated.stderr).not.toMatch(/runbook now compiles/);

    writeFileSync(flag, '');
    const resumed = cli(env, 'resume', runId);
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    for (const text of [
      run.stdout + run.stderr,
      rotated.stdout + rotated.stderr,
      resumed.stdout + resumed.stderr,
      audit(),
    ]) {
      expect(text).not.toContain(password);
    }
  });
});
