import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditRunRequest } from '../../../executor/github/audit-run-request.js';
import { githubClient, type GithubContext } from '../../../executor/github/client.js';
import { runRequestMarker } from '../../../executor/github/run-request-marker.js';
import { verifyRunRequestApprovals } from '../../../executor/github/verify-run-request.js';
import type { EventSink, RunEventType } from '../../../executor/core/events.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

const PLAN = 'ab'.repeat(32);
const HEAD = 'c0ffee'.padEnd(40, '1');
const OLD = 'dead00'.padEnd(40, '2');
const MERGE = 'fee1'.padEnd(40, '3');
const FILE = 'runs/2024-05-01-failover-drill.yaml';
const policy = { approvers: ['@acme/dba', '@ops-lead'], required: 2, selfApproval: false };
const MEMBERS_TOKEN = 'ghs_members_read_app_token_42';

let fake: FakeGithub;
let gh: GithubContext;
beforeEach(async () => {
  // Page size 2: every list below spans several pages, so a verifier reading only page 1 fails.
  fake = await startFakeGithub({ pageSize: 2, membersToken: MEMBERS_TOKEN });
  // A members-read token (RUNBOOK_GITHUB_MEMBERS_TOKEN): team membership is checked live.
  gh = githubClient(fake.env({ RUNBOOK_GITHUB_MEMBERS_TOKEN: MEMBERS_TOKEN }), testClientOptions());
  // Open pull requests built on the merge commit list with it: the merged one is on page 2.
  fake.addPull({ number: 3, author: 'pat-author', headSha: MERGE });
  fake.addPull({ number: 4, author: 'pat-author', headSha: MERGE });
  fake.addPull({ number: 7, author: 'pat-author', headSha: HEAD, mergeSha: MERGE });
  fake.addTeam('acme/dba', { 'dana-lee': 'active', 'charlie-brown': 'active', newbie: 'pending' });
  fake.addComment(7, 'pat-author', 'please approve');
  fake.addComment(7, 'mallory', `fake plan ${runRequestMarker({ file: FILE, planHash: PLAN })}`);
  fake.addComment(
    7,
    fake.bot,
    `## Plan\n${runRequestMarker({ file: FILE, planHash: PLAN, commit: HEAD })}`,
    fake.now(),
    'Bot',
  );
});
afterEach(() => fake.close());

type VerifyOpts = {
  planHash?: string;
  initiator?: string;
  selfApproval?: boolean;
  client?: GithubContext;
  members?: Record<string, string[]>;
  botLogin?: string;
};
const verify = (o: VerifyOpts = {}) =>
  verifyRunRequestApprovals({
    octokit: (o.client ?? gh).octokit,
    repo: gh.repo,
    mergeSha: MERGE,
    requestFile: FILE,
    planHash: o.planHash ?? PLAN,
    policy: { ...policy, selfApproval: o.selfApproval ?? false },
    initiator: o.initiator ?? '@octo-initiator',
    ...((o.client ?? gh).membersOctokit ? { membersOctokit: (o.client ?? gh).membersOctokit } : {}),
    ...(o.members ? { members: o.members } : {}),
    ...(o.botLogin ? { botLogin: o.botLogin } : {}),
  });
const codes = (v: Awaited<ReturnType<typeof verify>>) => v.refusals.map((r) => [r.login, r.code]);

describe('verifyRunRequestApprovals', () => {
  it('accepts allowed approvals on the merged head, reading every page', async () => {
    fake.addReview(7, 'someone', 'COMMENTED', HEAD);
    const r1 = fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    fake.addReview(7, 'dana-lee', 'COMMENTED', HEAD);
    const r2 = fake.addReview(7, 'ops-lead', 'APPROVED', HEAD);
    const v = await verify();
    expect(v.ok).toBe(true);
    expect(v.pr).toMatchObject({ number: 7, headSha: HEAD, author: 'pat-author' });
    expect(v.reviewers).toEqual([
      expect.objectContaining({ login: '@dana-lee', reviewId: r1, commitId: HEAD, via: '@acme/dba' }),
      expect.objectContaining({ login: '@ops-lead', reviewId: r2, commitId: HEAD, via: '@ops-lead' }),
    ]);
    expect(v.refusals).toEqual([]);
    expect(
      fake.requests.filter((r) => r.path === '/repos/acme/dr/pulls/7/reviews').map((r) => r.query.page ?? '1'),
    ).toEqual(['1', '2']);
    expect(
      fake.requests.filter((r) => r.path === `/repos/acme/dr/commits/${MERGE}/pulls`).map((r) => r.query.page ?? '1'),
    ).toEqual(['1', '2']);
    expect(
      fake.requests.filter((r) => r.path === '/repos/acme/dr/issues/7/comments').map((r) => r.query.page ?? '1'),
    ).toEqual(['1', '2']);
    expect(fake.requests.some((r) => r.path === '/orgs/acme/teams/dba/memberships/dana-lee')).toBe(true);
  });

  it('refuses self-approval by the initiator and by the PR author', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    fake.addReview(7, 'charlie-brown', 'APPROVED', HEAD);
    fake.addReview(7, 'pat-author', 'APPROVED', HEAD);
    const v = await verify({ initiator: '@charlie-brown' });
    expect(codes(v)).toEqual([
      ['@charlie-brown', 'self-approval'],
      ['@pat-author', 'author'],
      [undefined, 'too-few-approvals'],
    ]);
    expect(v.ok).toBe(false);
    expect((await verify({ initiator: '@charlie-brown', selfApproval: true })).ok).toBe(true);
  });

  it('refuses approvers outside the allowed users and teams, checking membership live', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    fake.addReview(7, 'mallory', 'APPROVED', HEAD);
    fake.addReview(7, 'newbie', 'APPROVED', HEAD);
    const v = await verify();
    expect(codes(v)).toEqual([
      ['@mallory', 'not-allowed'],
      ['@newbie', 'not-allowed'],
      [undefined, 'too-few-approvals'],
    ]);
    expect(v.refusals[0].reason).toMatch(/not among the allowed approvers/);
  });

  it('refuses an approval given on an older commit', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    const old = fake.addReview(7, 'ops-lead', 'APPROVED', OLD);
    const v = await verify();
    expect(v.refusals[0]).toMatchObject({ code: 'older-commit', login: '@ops-lead', reviewId: old });
    expect(v.ok).toBe(false);
  });

  it('refuses when the plan reviewed is not the plan about to run; a marker by a person does not count', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    fake.addReview(7, 'ops-lead', 'APPROVED', HEAD);
    const other = 'cd'.repeat(32);
    fake.addComment(7, 'mallory', runRequestMarker({ file: FILE, planHash: other }));
    const v = await verify({ planHash: other });
    expect(codes(v)).toEqual([[undefined, 'plan-hash-mismatch']]);
    expect(v.ok).toBe(false);
  });

  it('refuses a dismissed review, and a change request after an approval', async () => {
    fake.addReview(7, 'dana-lee', 'DISMISSED', HEAD);
    fake.addReview(7, 'ops-lead', 'APPROVED', HEAD);
    fake.addReview(7, 'charlie-brown', 'APPROVED', HEAD);
    fake.addReview(7, 'charlie-brown', 'CHANGES_REQUESTED', HEAD);
    const v = await verify();
    expect(codes(v)).toEqual([
      ['@dana-lee', 'dismissed'],
      ['@charlie-brown', 'changes-requested'],
      [undefined, 'too-few-approvals'],
    ]);
  });

  it('refuses too few approvals and a commit merged by no pull request, and audits it all', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    const v = await verify();
    expect(codes(v)).toEqual([[undefined, 'too-few-approvals']]);
    const events: { type: RunEventType; data: Record<string, unknown> }[] = [];
    const sink: EventSink = {
      emit: async (type, data) => void events.push({ type, data: data as unknown as Record<string, unknown> }),
    };
    await auditRunRequest(sink, v, { planHash: PLAN, policy });
    expect(events.map((e) => e.type)).toEqual(['approval:requested', 'approval:granted', 'approval:refused']);
    expect(events[1].data.approval).toMatchObject({
      approver: '@dana-lee',
      source: 'github-review',
      planHash: PLAN,
      reference: expect.stringContaining(`commit=${HEAD}`),
    });
    const none = await verifyRunRequestApprovals({
      octokit: gh.octokit,
      repo: gh.repo,
      mergeSha: OLD,
      requestFile: FILE,
      planHash: PLAN,
      policy,
      initiator: 'x',
    });
    expect(none).toMatchObject({ ok: false, refusals: [{ code: 'no-merged-pr' }] });
  });

  it('under GITHUB_TOKEN alone a 404 on team membership means unknown: the Directory decides, and the audit says so', async () => {
    const plain = githubClient(fake.env(), testClientOptions());
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    fake.addReview(7, 'ops-lead', 'APPROVED', HEAD);
    fake.addReview(7, 'charlie-brown', 'APPROVED', HEAD);
    // The Directory lists dana-lee in @acme/dba (compiled into the graph), not charlie-brown.
    const v = await verify({ client: plain, members: { '@acme/dba': ['@dana-lee'], '@ops-lead': ['@ops-lead'] } });
    expect(v.ok).toBe(true);
    expect(v.reviewers.map((r) => [r.login, r.membership])).toEqual([
      ['@dana-lee', 'directory'],
      ['@ops-lead', 'policy'],
    ]);
    expect(v.refusals).toEqual([
      expect.objectContaining({ login: '@charlie-brown', code: 'not-allowed', membership: 'directory' }),
    ]);
    // No membership call under GITHUB_TOKEN: its answer (404 for everyone) says nothing.
    expect(fake.requests.some((r) => r.path.includes('/memberships/'))).toBe(false);
    // A team the Directory does not list cannot be decided without a members-read token.
    const unknown = await verify({ client: plain });
    expect(unknown.refusals[0].reason).toMatch(/membership of @acme\/dba is unknown .*RUNBOOK_GITHUB_MEMBERS_TOKEN/);
    const events: { type: RunEventType; data: Record<string, unknown> }[] = [];
    await auditRunRequest(
      { emit: async (type, data) => void events.push({ type, data: data as unknown as Record<string, unknown> }) },
      v,
      { planHash: PLAN, policy },
    );
    expect(
      events
        .filter((e) => e.type === 'approval:granted')
        .map((e) => (e.data.approval as { membership: string }).membership),
    ).toEqual(['directory', 'policy']);
    expect(events.find((e) => e.type === 'approval:refused')?.data).toMatchObject({
      approver: '@charlie-brown',
      membership: 'directory',
    });
  });

  it('with RUNBOOK_GITHUB_MEMBERS_TOKEN live membership decides, asked with that token', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    fake.addReview(7, 'ops-lead', 'APPROVED', HEAD);
    fake.addReview(7, 'leo-garcia', 'APPROVED', HEAD);
    // The Directory still lists leo-garcia, who has left the team on GitHub: live wins.
    const v = await verify({ members: { '@acme/dba': ['@leo-garcia'] } });
    expect(v.reviewers.map((r) => [r.login, r.membership])).toEqual([
      ['@dana-lee', 'github'],
      ['@ops-lead', 'policy'],
    ]);
    expect(v.refusals).toEqual([
      expect.objectContaining({ login: '@leo-garcia', code: 'not-allowed', membership: 'github' }),
    ]);
    const asked = fake.requests.filter((r) => r.path.includes('/memberships/'));
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.token === 'members')).toBe(true);
  });

  it('refuses, and audits, an allowed approver without write access to the repository', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    fake.addReview(7, 'ops-lead', 'APPROVED', HEAD);
    fake.permission('ops-lead', 'triage'); // triage reads as `read`
    const v = await verify();
    expect(codes(v)).toEqual([
      ['@ops-lead', 'no-write-access'],
      [undefined, 'too-few-approvals'],
    ]);
    expect(v.refusals[0].reason).toMatch(/@ops-lead has read access to acme\/dr; approving needs write access/);
    fake.permission('ops-lead', 'maintain');
    expect((await verify()).ok).toBe(true);
    expect(
      fake.requests
        .filter((r) => r.path === '/repos/acme/dr/collaborators/ops-lead/permission')
        .every((r) => r.token === 'main'),
    ).toBe(true);
  });

  it('trusts plan comments only from the configured bot, not from any other bot', async () => {
    fake.addReview(7, 'dana-lee', 'APPROVED', HEAD);
    fake.addReview(7, 'ops-lead', 'APPROVED', HEAD);
    for (const c of fake.comments.filter((x) => x.user === fake.bot)) fake.deleteComment(c.id);
    // Any app installed on the repository comments as some `[bot]`; GET /user is 403 for installation tokens.
    fake.addComment(
      7,
      'other-app[bot]',
      runRequestMarker({ file: FILE, planHash: PLAN, commit: HEAD }),
      fake.now(),
      'Bot',
    );
    expect(codes(await verify())).toEqual([[undefined, 'plan-comment-missing']]);
    const app = await verify({ botLogin: 'other-app[bot]' });
    expect(app.ok).toBe(true);
    expect(fake.requests.some((r) => r.path === '/user')).toBe(false);
  });
});
