import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditRecord } from '../../../executor/audit/record.js';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { githubClient } from '../../../executor/github/client.js';
import { githubCommentGate } from '../../../executor/github/comment-gate.js';
import { FakeClock } from '../../support/fake-clock.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

const PLAN = 'ab'.repeat(32);
const BASE = Date.parse('2024-05-01T12:00:00Z');
const STEP = 'approve-failover';
let fake: FakeGithub;
let clock: FakeClock;
let records: AuditRecord[];

const MEMBERS_TOKEN = 'ghs_members_read_app_token_42';
beforeEach(async () => {
  // GitHub sometimes sets updated_at a second after created_at on a comment never edited.
  fake = await startFakeGithub({ pageSize: 2, membersToken: MEMBERS_TOKEN, createdUpdatedSkewS: 1 });
  clock = new FakeClock();
  // GitHub's clock follows the run's fake clock, so comments appear exactly when the test says.
  fake.now = () => BASE + clock.now();
  fake.addPull({ number: 12, author: 'pat-author', headSha: 'a'.repeat(40) });
  fake.addTeam('acme/dba', { 'dana-lee': 'active', 'charlie-brown': 'active', newbie: 'pending' });
  fake.user('ops-lead');
  records = [];
});
afterEach(() => fake.close());

/** Asks the gate through the real client and a real audit log kept in memory. */
async function ask(
  o: {
    required?: number;
    timeoutMs?: number;
    selfApproval?: boolean;
    membersToken?: boolean;
    members?: Record<string, string[]>;
    pollIntervalMs?: number;
  } = {},
) {
  const gh = githubClient(
    fake.env(o.membersToken === false ? {} : { RUNBOOK_GITHUB_MEMBERS_TOKEN: MEMBERS_TOKEN }),
    testClientOptions(),
  );
  const events = createAuditLog({
    runId: 'run-1',
    runbook: 'db-failover',
    planHash: PLAN,
    actor: '@octo-initiator',
    masker: new SecretMasker([]),
    sinks: [{ name: 'memory', write: async (rs) => void records.push(...rs) }],
    clock: () => new Date(BASE + clock.now()),
  });
  const gate = githubCommentGate({
    octokit: gh.octokit,
    repo: gh.repo,
    issueNumber: 12,
    runId: 'run-1',
    planHash: PLAN,
    initiator: '@octo-initiator',
    events,
    clock,
    pollIntervalMs: o.pollIntervalMs ?? 10_000,
    ...(gh.membersOctokit ? { membersOctokit: gh.membersOctokit } : {}),
    ...(o.members ? { members: o.members } : {}),
  });
  const answer = await clock.run(
    gate.request({
      stepId: STEP,
      approvers: ['@acme/dba', '@ops-lead'],
      required: o.required ?? 2,
      selfApproval: o.selfApproval ?? false,
      timeoutMs: o.timeoutMs ?? 60_000,
      message: 'Promote the replica in us-west-2?',
      signal: new AbortController().signal,
    }),
  );
  await events.close();
  return answer;
}
const said = (user: string, body: string, atMs: number) => fake.addComment(12, user, body, BASE + atMs);
const audit = (type: string) =>
  records.filter((r) => r.type === type).map((r) => r.data as unknown as Record<string, unknown>);

describe('githubCommentGate', () => {
  it('posts the request and opens on M valid approvals, auditing each with its comment', async () => {
    said('dana-lee', 'old approval before the request', -5_000);
    said('dana-lee', `/approve ${STEP}`, 5_000);
    said('bob', 'looks fine to me', 6_000);
    said('dana-lee', `/approve ${STEP}`, 7_000);
    const second = said('ops-lead', `LGTM\n/approve ${STEP} ${PLAN.slice(0, 10)}`, 25_000);
    const answer = await ask();
    expect(answer).toEqual({ approved: true, approvedBy: ['@dana-lee', '@ops-lead'] });
    const visible = fake.visibleComments(12);
    const request = visible.find((c) => c.user === fake.bot)!;
    expect(request.current).toContain(`Plan hash:** \`${PLAN}\``);
    expect(request.current).toContain(`/reject ${STEP} <reason>`);
    expect(visible.at(-1)!.current).toMatch(/approved by @dana-lee, @ops-lead/);
    expect(audit('approval:requested')).toHaveLength(1);
    expect(audit('approval:granted').map((g) => g.approval)).toEqual([
      expect.objectContaining({ approver: '@dana-lee', source: 'github-comment', planHash: PLAN }),
      expect.objectContaining({
        approver: '@ops-lead',
        source: 'github-comment',
        reference: expect.stringContaining(`#issuecomment-${second.id}`),
      }),
    ]);
    expect(audit('approval:refused')).toEqual([]);
    expect(clock.now()).toBe(30_000);
  });

  it('withdraws an approval whose text changes after it was read, and a deleted one; times out refused', async () => {
    const edited = said('dana-lee', `/approve ${STEP}`, 5_000);
    const deleted = said('charlie-brown', `/approve ${STEP}`, 8_000);
    // Both counted at the read at 10 s; then one is edited (same command, other text), one deleted.
    fake.editComment(edited.id, `/approve ${STEP}\nactually, wait for the lag check`, BASE + 15_000);
    fake.deleteComment(deleted.id, BASE + 15_000);
    said('ops-lead', `/approve ${STEP}`, 35_000);
    const answer = await ask({ timeoutMs: 60_000, required: 3 });
    expect(answer).toEqual({ approved: false, reason: expect.stringMatching(/^timed out after 1m with 1 of 3/) });
    const grants = audit('approval:granted').map((g) => g.approval as { approver: string; textSha256: string });
    expect(grants.map((g) => g.approver)).toEqual(['@dana-lee', '@charlie-brown', '@ops-lead']);
    expect(grants[0].textSha256).toBe(createHash('sha256').update(`/approve ${STEP}`).digest('hex'));
    expect(audit('approval:refused')).toEqual([
      expect.objectContaining({ approver: '@dana-lee', reason: expect.stringMatching(/edited/) }),
      expect.objectContaining({
        approver: '@charlie-brown',
        reason: expect.stringMatching(/deleted; approval withdrawn/),
      }),
      expect.objectContaining({ reason: expect.stringMatching(/^timed out/) }),
    ]);
  });

  it('does not consider a comment made after the timeout, even when a late poll sees it', async () => {
    // GitHub's clock runs 3 s ahead at the last poll: the late approval is visible but too late.
    fake.now = () => BASE + clock.now() + (clock.now() >= 60_000 ? 3_000 : 0);
    said('dana-lee', `/approve ${STEP}`, 5_000);
    said('ops-lead', `/approve ${STEP}`, 61_000);
    const answer = await ask({ timeoutMs: 60_000 });
    expect(answer).toMatchObject({ approved: false, reason: expect.stringMatching(/timed out .* 1 of 2/) });
    expect(audit('approval:refused')[0]).toMatchObject({
      approver: '@ops-lead',
      reason: expect.stringMatching(/after the approval timed out/),
    });
  });

  it('refuses on a valid /reject; a /reject from an outsider does not count', async () => {
    said('mallory', `/reject ${STEP} no way`, 3_000);
    said('dana-lee', `/approve ${STEP}`, 4_000);
    said('charlie-brown', `/reject ${STEP} replica lag is 40 s, wait`, 14_000);
    const answer = await ask();
    expect(answer).toEqual({
      approved: false,
      reason: expect.stringMatching(/^rejected by @charlie-brown: replica lag is 40 s, wait/),
    });
    expect(audit('approval:refused')).toEqual([
      expect.objectContaining({ approver: '@mallory', reason: expect.stringMatching(/may not reject/) }),
      expect.objectContaining({
        approver: '@charlie-brown',
        source: 'github-comment',
        reason: expect.stringMatching(/^rejected by/),
      }),
    ]);
    expect(fake.visibleComments(12).at(-1)!.current).toMatch(/⛔ .*rejected by @charlie-brown/);
  });

  it('refuses non-members, self-approval and another plan hash, each audited with the approver', async () => {
    said('mallory', `/approve ${STEP}`, 2_000);
    said('newbie', `/approve ${STEP}`, 3_000);
    said('octo-initiator', `/approve ${STEP}`, 4_000);
    said('charlie-brown', `/approve ${STEP} ${'cd'.repeat(6)}`, 5_000);
    said('dana-lee', '/approve another-step', 6_000);
    const answer = await ask({ required: 1, timeoutMs: 20_000 });
    expect(answer.approved).toBe(false);
    expect(audit('approval:refused').map((r) => [r.approver, String(r.reason).replace(/\(.*$/, '').trim()])).toEqual([
      ['@mallory', '@mallory is not among the allowed approvers'],
      ['@newbie', '@newbie is not among the allowed approvers'],
      ['@octo-initiator', '@octo-initiator started this run and cannot approve it'],
      ['@charlie-brown', `approved plan ${'cd'.repeat(6)}, but this run's plan is ${PLAN.slice(0, 12)}`],
      [undefined, 'timed out after 20s with 0 of 1 approval'],
    ]);
    expect(records.every((r) => r.planHash === PLAN && r.hash.length === 64)).toBe(true);
  });

  it('without a members-read token the Directory decides team membership, and the audit names the source', async () => {
    said('charlie-brown', `/approve ${STEP}`, 2_000);
    said('dana-lee', `/approve ${STEP}`, 3_000);
    said('ops-lead', `/approve ${STEP}`, 4_000);
    // The compiled Directory lists only charlie-brown in @acme/dba; GitHub would 404 for both.
    const answer = await ask({
      membersToken: false,
      members: { '@acme/dba': ['@charlie-brown'], '@ops-lead': ['@ops-lead'] },
    });
    expect(answer).toEqual({ approved: true, approvedBy: ['@charlie-brown', '@ops-lead'] });
    expect(
      audit('approval:granted').map((g) => [
        (g.approval as { approver: string }).approver,
        (g.approval as { membership: string }).membership,
      ]),
    ).toEqual([
      ['@charlie-brown', 'directory'],
      ['@ops-lead', 'policy'],
    ]);
    expect(audit('approval:refused')).toEqual([
      expect.objectContaining({
        approver: '@dana-lee',
        membership: 'directory',
        reason: expect.stringMatching(/not among the allowed approvers/),
      }),
    ]);
    expect(fake.requests.some((r) => r.path.includes('/memberships/'))).toBe(false);
  });

  it('refuses and audits an approver without write access to the repository', async () => {
    fake.permission('ops-lead', 'read');
    said('ops-lead', `/approve ${STEP}`, 2_000);
    said('dana-lee', `/approve ${STEP}`, 3_000);
    const answer = await ask({ required: 1 });
    expect(answer).toEqual({ approved: true, approvedBy: ['@dana-lee'] });
    expect(audit('approval:refused')).toEqual([
      expect.objectContaining({
        approver: '@ops-lead',
        reason: expect.stringMatching(/has read access to acme\/dr; approving needs write access/),
      }),
    ]);
    expect(audit('approval:granted')[0].approval).toMatchObject({
      approver: '@dana-lee',
      membership: 'github',
      via: '@acme/dba',
    });
  });

  it('stays within the API budget over an hour-long gate: conditional reads, backing off while quiet', async () => {
    // Chatter every ten minutes (8 comments and the request: 5 pages at page size 2), no approval: the gate times out.
    for (let m = 5; m < 60; m += 10) said('bob', `status update at minute ${m}`, m * 60_000);
    said('bob', 'one', 1_000);
    said('bob', 'two', 2_000);
    const answer = await ask({ timeoutMs: 3_600_000, pollIntervalMs: 15_000 });
    expect(answer).toMatchObject({ approved: false, reason: expect.stringMatching(/^timed out after 1h/) });
    const reads = fake.requests.filter((r) => r.method === 'GET' && r.path === '/repos/acme/dr/issues/12/comments');
    const billable = fake.billable();
    // README "GitHub API budget": a quiet gate polls at most once a minute after its first minute,
    // and its unchanged reads are 304s, which GitHub does not count against the 1,000 requests an
    // hour of GITHUB_TOKEN.
    // Polls (first pages): after each change 4 a minute for a minute, 2 a minute for two, then one
    // a minute: ~15 per quiet ten minutes, ~95 in this hour (a fixed 15 s poll would make 240).
    expect(reads.filter((r) => r.query.page === '1').length).toBeLessThan(110);
    expect(reads.filter((r) => r.status === 304).length).toBeGreaterThan(reads.length / 2);
    expect(billable.length).toBeLessThan(40);
    expect(reads.every((r) => r.query.page !== undefined)).toBe(true);
  });
});
