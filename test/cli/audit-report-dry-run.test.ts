import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * `runbook audit report` of a dry run: the audit log of a dry run names no approver (nobody is
 * asked), so the report takes the gates from the compiled runbook, as `runbook drill` does, and
 * says whom a live run would ask instead of "not in a dry run's audit log".
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: gated-dry, owner: "@acme/sre" }
spec:
  approvals: { approvers: ["@acme/sre-leads", "@acme/executive"], required: 2 }
  phases:
    - id: only
      steps:
        - { id: prepare, run: echo prepared }
        - id: promote
          uses: approval
          with: { message: Promote the replica? }
        - { id: after, run: echo promoted }
`;

let root: string;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(), timeout: 60_000 });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-report-dry-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'gated-dry.yaml'), runbook);
  const c = cli('compile');
  expect(c.status, c.stdout + c.stderr).toBe(0);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('audit report of a dry run', () => {
  it('names who a live run would ask at each gate, from the compiled runbook', () => {
    const run = cli('run', 'gated-dry', '--dry-run', '--as', '@ops');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const runId = runIdOf(run.stdout);
    const out = join(root, 'report.md');
    const r = cli('audit', 'report', runId, '--out', out);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const page = readFileSync(out, 'utf8');
    const approvals = page.slice(page.indexOf('## Approvals'));
    expect(approvals).not.toMatch(/not in a dry run's audit log/);
    expect(approvals).toMatch(/\| `promote` \| 2 of `@acme\/sre-leads`, `@acme\/executive`, not the initiator +\|/);
  }, 60_000);

  it('falls back to the log alone when the runbook is no longer compiled', () => {
    const run = cli('run', 'gated-dry', '--dry-run', '--as', '@ops');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const runId = runIdOf(run.stdout);
    rmSync(join(root, 'generated', 'graphs', 'gated-dry.json'));
    try {
      const out = join(root, 'report-2.md');
      const r = cli('audit', 'report', runId, '--out', out);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toMatch(/\| `promote` \| not in a dry run's audit log/);
    } finally {
      expect(cli('compile').status).toBe(0);
    }
  }, 60_000);
});
