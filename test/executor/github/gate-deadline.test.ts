import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditRecord } from '../../../executor/audit/record.js';
import { SecretMasker } from '../../../executor/core/secrets.js';
import { githubClient } from '../../../executor/github/client.js';
import { githubCommentGate } from '../../../executor/github/comment-gate.js';
import {
  deadlineMarginMs,
  gateWithinDeadline,
  jobDeadlineOf,
  setupAllowanceMs,
} from '../../../executor/run/job-deadline.js';
import { FakeClock } from '../../support/fake-clock.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

/**
 * Issue 11, time limits: a gate never waits longer than its job can live. GitHub kills a job at
 * its timeout-minutes without telling the process, so the gate must stop first, refuse, journal
 * it and reply on the issue.
 */
const PLAN = 'cd'.repeat(32);
const BASE = Date.parse('2026-05-01T12:00:00Z');
const STEP = 'approve-failover';
let fake: FakeGithub;
let clock: FakeClock;
let records: AuditRecord[];

beforeEach(async () => {
  fake = await startFakeGithub({ pageSize: 3 });
  clock = new FakeClock();
  fake.now = () => BASE + clock.now();
  fake.addPull({ number: 12, author: 'pat-author', headSha: 'a'.repeat(40) });
  fake.user('ops-lead');
  records = [];
});
afterEach(() => fake.close());

async function ask(deadline: number, timeoutMs: number) {
  const gh = githubClient(fake.env(), testClientOptions());
  const events = createAuditLog({
    runId: 'run-1',
    runbook: 'db-failover',
    planHash: PLAN,
    actor: '@octo-initiator',
    masker: new SecretMasker([]),
    sinks: [{ name: 'memory', write: async (rs) => void records.push(...rs) }],
    clock: () => new Date(BASE + clock.now()),
  });
  const inner = githubCommentGate({
    octokit: gh.octokit,
    repo: gh.repo,
    issueNumber: 12,
    runId: 'run-1',
    planHash: PLAN,
    initiator: '@octo-initiator',
    events,
    clock,
    pollIntervalMs: 15_000,
  });
  const gate = gateWithinDeadline(inner, deadline, clock);
  const answer = await clock.run(
    gate.request({
      stepId: STEP,
      approvers: ['@ops-lead'],
      required: 1,
      selfApproval: false,
      timeoutMs,
      message: 'Promote?',
      signal: new AbortController().signal,
    }),
  );
  await events.close();
  return answer;
}

describe('a gate inside a job with a time limit', () => {
  it('stops waiting a margin before the job ends, refusing with a message that names the limit, journaled and replied', async () => {
    // The gate's own timeout (1 h) outlives the job (20 min from now).
    const deadline = clock.now() + 20 * 60_000;
    const answer = await ask(deadline, 60 * 60_000);
    expect(answer.approved).toBe(false);
    expect(clock.now()).toBeLessThanOrEqual(deadline - deadlineMarginMs);
    expect(clock.now()).toBeGreaterThanOrEqual(deadline - deadlineMarginMs - 15_000);
    expect(answer).toMatchObject({
      reason: expect.stringMatching(
        /^timed out after 17m with 0 of 1 approval\(s\): the job's time limit: GitHub ends this job at /,
      ),
    });
    // Journaled and replied to as the gate's own timeout; the request said why it closes early.
    const refused = records.filter((r) => r.type === 'approval:refused').map((r) => r.data as { reason: string });
    expect(refused).toHaveLength(1);
    expect(refused[0].reason).toMatch(/^timed out after 17m/);
    const requested = records.filter((r) => r.type === 'approval:requested').map((r) => r.data as { message: string });
    expect(requested[0].message).toContain("This gate closes early: the job's time limit");
    const request = fake.visibleComments(12).find((c) => c.user === fake.bot)!;
    expect(request.current).toContain('Times out:** 17m after this comment');
    expect(fake.visibleComments(12).at(-1)!.current).toMatch(/⛔ `approve-failover`: timed out after 17m/);
  });

  it('still opens on an approval that comes in time', async () => {
    fake.addComment(12, 'ops-lead', `/approve ${STEP}`, BASE + 60_000);
    const answer = await ask(clock.now() + 20 * 60_000, 60 * 60_000);
    expect(answer).toEqual({ approved: true, approvedBy: ['@ops-lead'] });
  });

  it('is not requested at all when the job is about to end', async () => {
    const answer = await ask(clock.now() + deadlineMarginMs - 1, 60 * 60_000);
    expect(answer).toMatchObject({ approved: false, reason: expect.stringContaining('not requested') });
  });
});

describe('jobDeadlineOf', () => {
  it('reads an exact deadline, or counts timeout-minutes from the process start minus the setup allowance', () => {
    expect(jobDeadlineOf({ RUNBOOK_JOB_DEADLINE: '2026-05-01T13:00:00Z' }, 0)).toBe(Date.parse('2026-05-01T13:00:00Z'));
    expect(jobDeadlineOf({ RUNBOOK_JOB_TIMEOUT_MINUTES: '30' }, 1_000)).toBe(1_000 + 30 * 60_000 - setupAllowanceMs);
    expect(jobDeadlineOf({}, 0)).toBeUndefined();
    expect(jobDeadlineOf({ RUNBOOK_JOB_TIMEOUT_MINUTES: 'soon' }, 0)).toBeUndefined();
  });
});
