import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryYaml } from './directory.js';
import { bin, cliEnv } from '../support/cli.js';

/**
 * The plan hash covers what runs: the mode (live, drill, dry run) and the child runbooks' graphs.
 * An approval given for one never counts for another. Through the CLI, with an approvals file.
 */
const parent = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: parent, owner: "@acme/dba" }
spec:
  phases:
    - id: only
      steps:
        - id: approve
          uses: approval
          # The approvals here are unsigned (the signing tests are signed-approvals.test.ts).
          with: { message: "Go?", approvers: ["@acme/dba"], allowUnsigned: true }
        - id: child
          uses: runbook
          with: { runbook: child }
`;
const child = (command: string) => `apiVersion: runbook/v1
kind: Runbook
metadata: { name: child, owner: "@acme/dba" }
spec:
  phases:
    - id: only
      steps:
        - { id: act, run: ${command} }
`;

let root: string;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(), timeout: 60_000 });
const compile = () => expect(cli('compile').status).toBe(0);
const planHash = (...flags: string[]) =>
  (JSON.parse(cli('plan', 'parent', '--json', ...flags).stdout) as { planHash: string }).planHash;
function approvals(hash: string): string {
  const file = join(root, `approvals-${hash.slice(0, 12)}.yaml`);
  writeFileSync(file, JSON.stringify({ approvals: [{ step: 'approve', approver: '@dana-lee', planHash: hash }] }));
  return file;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-planhash-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'directory.yaml'), directoryYaml);
  writeFileSync(join(root, 'runbooks', 'parent.yaml'), parent);
  writeFileSync(join(root, 'runbooks', 'child.yaml'), child('echo one'));
  compile();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the plan hash covers what runs', () => {
  it('differs per mode: live, drill and dry run', () => {
    const hashes = [planHash(), planHash('--drill'), planHash('--dry-run')];
    expect(new Set(hashes).size).toBe(3);
  });

  it('an approval of the drill does not approve the live run, and the drill accepts it', () => {
    const file = approvals(planHash('--drill'));
    expect(cli('run', 'parent', '--as', '@ops', '--approvals', file).status).not.toBe(0);
    const drill = cli('drill', 'parent', '--as', '@ops', '--approvals', file);
    expect(drill.status, drill.stdout + drill.stderr).toBe(0);
  });

  it('an edited child runbook voids the parent approvals', () => {
    const before = planHash();
    writeFileSync(join(root, 'runbooks', 'child.yaml'), child('echo two'));
    compile();
    expect(planHash()).not.toBe(before);
    const r = cli('run', 'parent', '--as', '@ops', '--approvals', approvals(before));
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/given for plan/);
  });
});
