import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../executor/audit/record.js';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { githubClient, type GithubContext } from '../../../executor/github/client.js';
import { githubChannelSender } from '../../../executor/github/notify-github.js';
import { openTrackingIssue, type TrackingIssue } from '../../../executor/github/tracking-issue.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

const PLAN = 'ef'.repeat(32);
let fake: FakeGithub;
let gh: GithubContext;
beforeEach(async () => {
  fake = await startFakeGithub();
  gh = githubClient(fake.env(), testClientOptions());
});
afterEach(() => fake.close());

const logOf = (issue: TrackingIssue) =>
  createAuditLog({
    runId: 'run-9',
    runbook: 'db-failover',
    planHash: PLAN,
    actor: '@octo',
    masker: new SecretMasker([]),
    sinks: [issue],
  });
const start = {
  runbook: 'db-failover',
  title: 'Database failover',
  planHash: PLAN,
  initiator: '@octo',
  inputs: {},
  dryRun: false,
  drill: false,
  objectives: {},
  phases: [
    { id: 'prepare', steps: ['check-lag', 'approve'] },
    { id: 'promote', steps: ['promote-replica'] },
  ],
};
const patches = () => fake.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/repos/acme/dr/issues/'));

describe('openTrackingIssue', () => {
  it('opens an issue whose body is a live table of steps, debounced, and final at run end', async () => {
    const issue = await openTrackingIssue({
      octokit: gh.octokit,
      repo: gh.repo,
      runId: 'run-9',
      title: 'Failover run-9',
      minIntervalMs: 60_000,
      runUrl: 'https://github.example/acme/dr/actions/runs/1',
    });
    expect(fake.issues.get(issue.issueNumber)?.title).toBe('Failover run-9');
    const audit = logOf(issue);
    await audit.emit('run:start', start);
    await issue.flush();
    const first = fake.issues.get(issue.issueNumber)!.body;
    expect(first).toMatch(/\| ⚪ \| `check-lag` \| prepare \|/);
    expect(first).toContain('[workflow run](https://github.example/acme/dr/actions/runs/1)');

    // Within the interval, changes are folded but not written.
    await audit.emit('step:start', {
      stepId: 'check-lag',
      attempt: 1,
      uses: 'postgres.replication-lag',
      idempotent: true,
      sideEffects: false,
      dryRun: false,
    });
    await audit.emit('step:end', { stepId: 'check-lag', attempt: 2, status: 'succeeded', durationMs: 1_500 });
    await audit.emit('approval:requested', { stepId: 'approve', approvers: ['@acme/dba'], required: 1 });
    await new Promise((r) => setTimeout(r, 50));
    const before = patches().length;
    expect(fake.issues.get(issue.issueNumber)!.body).toBe(first);

    await audit.emit('run:end', { status: 'failed', durationMs: 90_000, error: 'failed: approve' });
    await audit.close();
    const body = fake.issues.get(issue.issueNumber)!.body;
    expect(patches().length).toBe(before + 1);
    expect(body).toMatch(/## ❌ Database failover — failed in 1m 30s/);
    expect(body).toMatch(/\| ✅ \| `check-lag` \| prepare \| \d\d:\d\d:\d\d \| 1\.5 s \| 2 \| succeeded \|/);
    expect(body).toMatch(/\| 🔐 \| `approve` \|/);
    expect(body).toContain(`plan \`${PLAN.slice(0, 12)}\``);
  });

  it('never fails or blocks the run when GitHub fails; the next change retries', async () => {
    const logs: string[] = [];
    const issue = await openTrackingIssue({
      octokit: gh.octokit,
      repo: gh.repo,
      runId: 'run-9',
      title: 't',
      minIntervalMs: 0,
      log: (m) => logs.push(m),
    });
    const audit = logOf(issue);
    fake.failNext(1, 422);
    await audit.emit('run:start', start);
    await issue.flush();
    expect(logs[0]).toMatch(/update failed \(the run goes on\)/);
    await audit.emit('run:end', { status: 'succeeded', durationMs: 10 });
    await audit.close();
    expect(fake.issues.get(issue.issueNumber)!.body).toMatch(/✅ Database failover — succeeded/);
  });

  it('uses a sticky comment on a given pull request, and comments for the notify channel', async () => {
    fake.addPull({ number: 5, author: 'pat-author', headSha: 'a'.repeat(40) });
    const issue = await openTrackingIssue({
      octokit: gh.octokit,
      repo: gh.repo,
      runId: 'run-9',
      title: 'unused',
      issueNumber: 5,
      minIntervalMs: 0,
    });
    const audit = logOf(issue);
    await audit.emit('run:start', start);
    await audit.emit('run:end', { status: 'succeeded', durationMs: 10 });
    await audit.close();
    const send = githubChannelSender(issue);
    const ctx = {
      fetch,
      signal: new AbortController().signal,
      env: () => undefined,
      render: (t: string) => t,
      mask: (t: string) => t,
      timeoutMs: 1000,
    };
    const sent = await send(
      'oncall',
      { channels: ['github'] } as never,
      { template: 't', subject: 'Failover started', body: 'ETA 10 min', drill: true },
      ctx,
    );
    expect(sent).toMatchObject({ channel: 'github', status: 'sent', ok: true });
    const comments = fake.visibleComments(5);
    expect(comments).toHaveLength(2);
    expect(comments[0].current).toMatch(/<!-- runbook-run-status run=run-9 -->[\s\S]*succeeded/);
    expect(comments[1].current).toBe('**[DRILL] Failover started**\n\nETA 10 min');
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/repos/acme/dr/issues')).toBe(false);
  });

  it("adopts only the configured bot's sticky comment: a person quoting the marker keeps theirs", async () => {
    fake.addPull({ number: 6, author: 'pat-author', headSha: 'a'.repeat(40) });
    const quoted = fake.addComment(6, 'reviewer', '> <!-- runbook-run-status run=run-9 --> what is this table?');
    const issue = await openTrackingIssue({
      octokit: gh.octokit,
      repo: gh.repo,
      runId: 'run-9',
      title: 'unused',
      issueNumber: 6,
      minIntervalMs: 0,
      bot: gh.bot,
    });
    const audit = logOf(issue);
    await audit.emit('run:start', start);
    await audit.close();
    const comments = fake.visibleComments(6);
    expect(comments.find((c) => c.id === quoted.id)!.current).toMatch(
      /^> <!-- runbook-run-status run=run-9 --> what is this table\?$/,
    );
    expect(
      comments.filter((c) => c.user === fake.bot && c.current.includes('runbook-run-status run=run-9')),
    ).toHaveLength(1);
  });

  it('does not rewrite a table that renders as already written (API budget)', async () => {
    const issue = await openTrackingIssue({
      octokit: gh.octokit,
      repo: gh.repo,
      runId: 'run-9',
      title: 't',
      minIntervalMs: 0,
    });
    const audit = logOf(issue);
    await audit.emit('run:start', start);
    await issue.flush();
    const after = patches().length;
    // Records that change nothing in the table cost no request.
    for (let i = 0; i < 5; i++) {
      await audit.emit('approval:refused', { stepId: 'approve', source: 'github-comment', reason: `noise ${i}` });
      await issue.flush();
    }
    expect(patches().length).toBe(after);
    await audit.emit('run:end', { status: 'succeeded', durationMs: 10 });
    await audit.close();
    expect(patches().length).toBe(after + 1);
  });
});
