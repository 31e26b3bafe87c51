import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cliEnv } from '../support/cli.js';

/**
 * A secret shorter than 4 characters cannot be masked (masking 3 characters would mask random
 * text), so `run` and `plan` warn before anything runs, naming the secret and never its value.
 * The format holds secret names only, never values, so there is nothing for `validate` to see.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: short-secret, owner: "@acme/sre" }
spec:
  secrets: [PIN, LONG_TOKEN]
  phases:
    - id: only
      steps:
        - id: use
          run: 'test -n "$PIN" && test -n "$LONG_TOKEN"'
          env: { PIN: "{{secrets.PIN}}", LONG_TOKEN: "{{secrets.LONG_TOKEN}}" }
`;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-short-secret-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'short-secret.yaml'), runbook);
  expect(spawnSync(process.execPath, [bin, 'compile', '--root', root], { env: cliEnv() }).status).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(env), timeout: 60_000 });

describe('a secret shorter than 4 characters', () => {
  it('is warned about by name when a run starts, and the run still goes ahead', () => {
    const r = cli(['run', 'short-secret', '--as', '@ops'], { PIN: 'q7z', LONG_TOKEN: 'long-enough-value' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: secret PIN is shorter than 4 characters/);
    expect(r.stderr).not.toMatch(/LONG_TOKEN is shorter/);
    expect(r.stdout + r.stderr).not.toContain('q7z');
  });

  it('is warned about by `runbook plan`', () => {
    const r = cli(['plan', 'short-secret'], { PIN: 'q7z', LONG_TOKEN: 'long-enough-value' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: secret PIN is shorter than 4 characters/);
    expect(r.stdout + r.stderr).not.toContain('q7z');
  });

  it('no warning when every secret is 4 characters or longer', () => {
    const r = cli(['plan', 'short-secret'], { PIN: 'q7z9', LONG_TOKEN: 'long-enough-value' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/shorter than/);
  });
});
