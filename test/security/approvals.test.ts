import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../executor/audit/file-sink.js';
import { directoryYaml } from './directory.js';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * Approvals count people, not strings: through the CLI with an approvals file, as a drill in CI
 * would approve. The gate needs 2 of the `@acme/dba` team (dana-lee, riley-park).
 */
const gate = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: gate, owner: "@acme/dba" }
spec:
  phases:
    - id: only
      steps:
        - id: approve
          uses: approval
          # Unsigned claims, allowed here: these tests are about who counts (signatures: signed-approvals.test.ts).
          with: { message: "Go?", approvers: ["@acme/dba"], required: 2, allowUnsigned: true }
        - { id: act, run: echo acted }
`;

let root: string;
let planHash: string;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(), timeout: 60_000 });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-approvals-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'directory.yaml'), directoryYaml);
  writeFileSync(join(root, 'runbooks', 'gate.yaml'), gate);
  const compiled = cli('compile');
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
  planHash = (JSON.parse(cli('plan', 'gate', '--json').stdout) as { planHash: string }).planHash;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the gate with these approvers' claims; the outcome and the gate's audit records. */
function runWith(...approvers: string[]) {
  const file = join(root, `approvals-${approvers.length}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({ approvals: approvers.map((approver) => ({ step: 'approve', approver, planHash })) }),
  );
  const r = cli('run', 'gate', '--as', '@ops', '--approvals', file);
  const runId = runIdOf(r.stdout);
  const audit = parseAuditText(readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8')).records;
  const acted = audit.some((x) => x.type === 'step:end' && x.stepId === 'act');
  const refusals = audit
    .filter((x) => x.type === 'approval:refused')
    .map((x) => x.data as { approver?: string; reason: string });
  return { status: r.status, acted, refusals, output: r.stdout + r.stderr };
}

describe('approvals count people', () => {
  it('two people of the team pass', () => {
    const r = runWith('@dana-lee', '@riley-park');
    expect(r.status, r.output).toBe(0);
    expect(r.acted).toBe(true);
  });

  it('one person written two ways counts once, and the duplicate is audited', () => {
    const r = runWith('@dana-lee', 'dana-lee', '@Dana-Lee');
    expect(r.status).not.toBe(0);
    expect(r.acted).toBe(false);
    expect(r.refusals.filter((x) => /counts once/.test(x.reason)).map((x) => x.approver)).toEqual([
      'dana-lee',
      '@Dana-Lee',
    ]);
  });

  it('a look-alike (Kelvin sign) is not folded into a member', () => {
    const r = runWith('@dana-lee', '@riley-par\u212A');
    expect(r.acted).toBe(false);
    expect(r.refusals.find((x) => x.approver === '@riley-par\u212A')?.reason).toMatch(/not a GitHub login/);
  });

  it('a team is never an approver identity', () => {
    const r = runWith('@acme/dba', '@dana-lee');
    expect(r.acted).toBe(false);
    expect(r.refusals.find((x) => x.approver === '@acme/dba')?.reason).toMatch(/is a team/);
  });

  it('an approvals file over the size limit is refused before anything runs', () => {
    const file = join(root, 'huge.yaml');
    writeFileSync(file, `# ${'x'.repeat(70 * 1024)}\napprovals: []\n`);
    const r = cli('run', 'gate', '--as', '@ops', '--approvals', file);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/more than the limit/);
  });
});
