import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * A non-idempotent step killed by its timeout after its effect is in doubt on resume: it is not
 * run again without an operator's decision. Through the CLI; the effect is a line in a file.
 */
let root: string;
let effects: string;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(), timeout: 60_000 });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-timeout-'));
  effects = join(root, 'effects.txt');
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(
    join(root, 'runbooks', 'charge.yaml'),
    `apiVersion: runbook/v1
kind: Runbook
metadata: { name: charge, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: charge
          run: 'echo charged >> "$EFFECTS"; sleep 30'
          env: { EFFECTS: "${effects}" }
          idempotent: false
          timeout: 1s
`,
  );
  expect(cli('compile').status).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a non-idempotent step ended by its timeout', () => {
  it('is in doubt on resume: refused without a decision, run again only when the operator says so', () => {
    const run = cli('run', 'charge', '--as', '@ops');
    expect(run.status).toBe(4);
    const runId = runIdOf(run.stdout);
    expect(readFileSync(effects, 'utf8')).toBe('charged\n');

    const blind = cli('resume', runId, '--as', '@ops');
    expect(blind.status).not.toBe(0);
    expect(blind.stdout + blind.stderr).toMatch(/--decide charge=/);
    expect(readFileSync(effects, 'utf8')).toBe('charged\n');

    const skip = cli('resume', runId, '--as', '@ops', '--decide', 'charge=skip');
    expect(skip.status, skip.stdout + skip.stderr).toBe(0);
    expect(readFileSync(effects, 'utf8')).toBe('charged\n');
  });
});
