import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compileTree } from '../../../compiler/compile.js';
import { runRequestMarker } from '../../../executor/github/run-request-marker.js';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { bin, cliEnv, runIdOf } from '../../support/cli.js';
import { startFakeGithub, type FakeGithub } from '../../support/fake-github.js';

/**
 * GitOps run requests end to end: `runbook run-request` (the real CLI and Octokit) against a
 * loopback GitHub, verifying the merged pull request before the first step.
 */
const HEAD = 'c0ffee'.padEnd(40, '1');
const MERGE = 'fee1'.padEnd(40, '3');
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: echo-request, owner: "@acme/dba" }
spec:
  approvals: { approvers: ["@acme/dba"], required: 1 }
  inputs: { message: { type: string, required: true } }
  phases:
    - id: only
      steps:
        - { id: say, run: 'echo "$MESSAGE"', env: { MESSAGE: "{{inputs.message}}" } }
`;
const request = (reason: string) => `apiVersion: runbook/v1
kind: RunRequest
metadata: { name: 2026-11-22-echo }
spec: { runbook: echo-request, inputs: { message: hello }, reason: ${reason} }
`;

let root: string;
let fake: FakeGithub;
let planHash: string;
const file = 'runs/2026-11-22-echo.yaml';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'runbook-request-'));
  mkdirSync(join(root, 'runbooks'));
  mkdirSync(join(root, 'runs'));
  writeFileSync(join(root, 'runbooks', 'echo.yaml'), runbook);
  writeFileSync(join(root, file), request('Quarterly drill'));
  const c = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  expect(c.status, c.stdout + c.stderr).toBe(0);
  planHash = compileTree(root).runRequests.find((r) => r.file === file)!.planHash!;
  fake = await startFakeGithub();
  fake.addTeam('acme/dba', { 'dana-lee': 'active' });
  fake.addPull({ number: 7, author: 'pat-author', headSha: HEAD, mergeSha: MERGE });
  fake.addComment(7, fake.bot, `## Plan\n${runRequestMarker({ file, planHash, commit: HEAD })}`, fake.now(), 'Bot');
}, 60_000);
// Each test states its own reviews and asserts on its own requests, whatever ran before it.
beforeEach(() => {
  fake.reviews.length = 0;
  fake.requests.length = 0;
});
afterAll(async () => {
  await fake?.close();
  rmSync(root, { recursive: true, force: true });
});

/** `runbook run-request` (async: the fake GitHub answers from this process); stdout names the run. */
function runRequest(extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'run-request', file, '--root', root, ...extra], {
      env: cliEnv(fake.env({ GITHUB_SHA: MERGE }) as Record<string, string>), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const auditOf = (stdout: string) => parseAuditText(readFileSync(join(root, '.runbook', 'runs', runIdOf(stdout), 'audit.jsonl'), 'utf8')).records;

describe('runbook run-request', { timeout: 120_000 }, () => {
  it('refuses before any step when the only approval is the author\'s, and journals why', async () => {
    fake.addReview(7, 'pat-author', 'APPROVED', HEAD);
    const r = await runRequest();
    expect(r.code, r.stderr).toBe(6);
    const records = auditOf(r.stdout);
    expect(records.some((x) => x.type === 'step:start')).toBe(false);
    expect(records.filter((x) => x.type === 'approval:refused').map((x) => (x.data as { reason: string }).reason).join(' ')).toMatch(/author/);
    expect(records.at(-1)).toMatchObject({ type: 'run:end', data: { status: 'refused' } });
  });

  it('runs when an allowed reviewer approved the merged head with the same plan hash, auditing the review', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    const r = await runRequest();
    expect(r.code, r.stderr).toBe(0);
    const records = auditOf(r.stdout);
    const granted = records.find((x) => x.type === 'approval:granted')!.data as { approval: { approver: string; source: string; planHash: string } };
    expect(granted.approval).toMatchObject({ approver: '@dana-lee', source: 'github-review', planHash });
    expect(records.some((x) => x.type === 'step:end' && x.stepId === 'say')).toBe(true);
    // The pull request was the tracking issue: the live step table went there.
    expect(fake.requests.some((q) => q.method !== 'GET' && q.path.startsWith('/repos/acme/dr/issues/7/comments'))).toBe(true);
  });

  it('with --runbook, runs only the requests for those runbooks (one workflow job per concurrency group)', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    const other = await runRequest(['--runbook', 'another-runbook']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain('no new run requests');
    expect(fake.requests).toEqual([]);
    const mine = await runRequest(['--runbook', 'echo-request']);
    expect(mine.code, mine.stderr).toBe(0);
    expect(auditOf(mine.stdout).some((x) => x.type === 'step:end' && x.stepId === 'say')).toBe(true);
  });
});
