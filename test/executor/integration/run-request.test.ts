import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileTree } from '../../../compiler/compile.js';
import { runRequestMarker } from '../../../executor/github/run-request-marker.js';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { bin, cliEnv, runIdOf } from '../../support/cli.js';
import { startFakeGithub, type FakeGithub } from '../../support/fake-github.js';
import { findOperation } from '../../support/github-openapi.js';
import type { Grant } from '../../support/github-permissions.js';
import { commandCalls } from '../../support/job-api-calls.js';

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
// The Directory (code-owned, reviewed, compiled into the graph) lists dana-lee in @acme/dba.
const directory = `apiVersion: runbook/v1
kind: Directory
metadata: { name: dir, owner: "@acme/dba" }
spec:
  people:
    dana-lee: { name: Dana Lee, github: "@dana-lee" }
  teams:
    dba: { name: DBA, github: "@acme/dba", members: [dana-lee] }
`;
const MEMBERS_TOKEN = 'ghs_members_read_app_token_42';
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
  writeFileSync(join(root, 'runbooks', 'directory.yaml'), directory);
  writeFileSync(join(root, file), request('Quarterly drill'));
  const c = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  expect(c.status, c.stdout + c.stderr).toBe(0);
  planHash = compileTree(root).runRequests.find((r) => r.file === file)!.planHash!;
  // The token has exactly the permissions of the generated run-request job; team membership is
  // read with the members token only (see job-api-calls.ts).
  const workflow = parse(readFileSync(join(root, '.github', 'workflows', 'runbook-run-request.yml'), 'utf8')) as {
    permissions: Grant;
  };
  fake = await startFakeGithub({ membersToken: MEMBERS_TOKEN, permissions: workflow.permissions });
  // On GitHub, evan-ortiz has joined the team since the Directory was last compiled.
  fake.addTeam('acme/dba', { 'dana-lee': 'active', 'evan-ortiz': 'active' });
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
function runRequest(
  extraEnv: Record<string, string> = {},
  extraArgs: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'run-request', file, '--root', root, ...extraArgs], {
      env: cliEnv(fake.env({ GITHUB_SHA: MERGE, ...extraEnv }) as Record<string, string>),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const auditOf = (stdout: string) =>
  parseAuditText(readFileSync(join(root, '.runbook', 'runs', runIdOf(stdout), 'audit.jsonl'), 'utf8')).records;

describe('runbook run-request', { timeout: 120_000 }, () => {
  it("refuses before any step when the only approval is the author's, and journals why", async () => {
    fake.addReview(7, 'pat-author', 'APPROVED', HEAD);
    const r = await runRequest();
    expect(r.code, r.stderr).toBe(6);
    const records = auditOf(r.stdout);
    expect(records.some((x) => x.type === 'step:start')).toBe(false);
    expect(
      records
        .filter((x) => x.type === 'approval:refused')
        .map((x) => (x.data as { reason: string }).reason)
        .join(' '),
    ).toMatch(/author/);
    expect(records.at(-1)).toMatchObject({ type: 'run:end', data: { status: 'refused' } });
  });

  it('runs when an allowed reviewer approved the merged head with the same plan hash, auditing the review', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    const r = await runRequest();
    expect(r.code, r.stderr).toBe(0);
    const records = auditOf(r.stdout);
    const granted = records.find((x) => x.type === 'approval:granted')!.data as {
      approval: { approver: string; source: string; planHash: string };
    };
    // GITHUB_TOKEN cannot read the team (GitHub answers 404 for members too): the Directory decided.
    expect(granted.approval).toMatchObject({
      approver: '@dana-lee',
      source: 'github-review',
      planHash,
      membership: 'directory',
    });
    expect(records.some((x) => x.type === 'step:end' && x.stepId === 'say')).toBe(true);
    // The pull request was the tracking issue: the live step table went there.
    expect(fake.requests.some((q) => q.method !== 'GET' && q.path.startsWith('/repos/acme/dr/issues/7/comments'))).toBe(
      true,
    );
    // Least privilege, end to end: nothing the job's token lacked, and every call is one the
    // static table of the run-request command lists (the workflow-permissions test relies on it).
    expect(fake.denied).toEqual([]);
    const listed = new Set(
      [...commandCalls['run-request'], { operationId: 'teams/get-membership-for-user-in-org' }].map(
        (c) => `${c.operationId}${c.onPull ? ' (pull)' : ''}`,
      ),
    );
    for (const q of fake.requests) {
      const op = findOperation(q.method, q.path)!;
      const onPull = op.params.issue_number !== undefined && fake.pulls.has(Number(op.params.issue_number));
      expect(listed, `${q.method} ${q.path}`).toContain(`${op.operationId}${onPull ? ' (pull)' : ''}`);
    }
  });

  it('with RUNBOOK_GITHUB_MEMBERS_TOKEN live team membership decides, and the audit says so', async () => {
    fake.addReview(7, 'evan-ortiz', 'APPROVED', HEAD);
    const without = await runRequest();
    expect(without.code, without.stderr).toBe(6);
    const r = await runRequest({ RUNBOOK_GITHUB_MEMBERS_TOKEN: MEMBERS_TOKEN });
    expect(r.code, r.stderr).toBe(0);
    const granted = auditOf(r.stdout).find((x) => x.type === 'approval:granted')!.data as unknown as {
      approval: Record<string, unknown>;
    };
    expect(granted.approval).toMatchObject({ approver: '@evan-ortiz', membership: 'github', via: '@acme/dba' });
    expect(fake.requests.filter((q) => q.path.includes('/memberships/')).every((q) => q.token === 'members')).toBe(
      true,
    );
    expect(r.stdout + r.stderr).not.toContain(MEMBERS_TOKEN);
  });

  it('with --runbook, runs only the requests for those runbooks (one workflow job per concurrency group)', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    const other = await runRequest({}, ['--runbook', 'another-runbook']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain('no new run requests');
    expect(fake.requests).toEqual([]);
    const mine = await runRequest({}, ['--runbook', 'echo-request']);
    expect(mine.code, mine.stderr).toBe(0);
    expect(auditOf(mine.stdout).some((x) => x.type === 'step:end' && x.stepId === 'say')).toBe(true);
  });
});
