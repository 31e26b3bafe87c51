import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditLog, AuditRecord } from '../../../executor/audit/record.js';
import { GateParked, type ParkedRequest } from '../../../executor/core/parked.js';
import { githubClient } from '../../../executor/github/client.js';
import { githubCommentGate } from '../../../executor/github/comment-gate.js';
import { foldRun } from '../../../executor/run-state/fold-run.js';
import { parkedGateOf } from '../../../executor/run/parked-gate.js';
import type { FakeClock } from '../../support/fake-clock.js';
import {
  GATE_BASE,
  GATE_PLAN,
  gateOptions,
  newGateWorld,
  worldGate,
  type GateWorld,
} from '../../support/gate-world.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

/**
 * Issue 13 item 4: on the run request's pull request, a review whose body is a gate command
 * answers the gate as a comment with that body would (journaled with source `github-review`).
 */
const PLAN = GATE_PLAN;
const BASE = GATE_BASE;
const STEP = 'promote';
const HEAD = 'a'.repeat(40);
let world: GateWorld;
let fake: FakeGithub;
let clock: FakeClock;
let records: AuditRecord[];
let events: AuditLog;

beforeEach(async () => {
  world = await newGateWorld();
  ({ fake, clock, records, events } = world);
});
afterEach(() => fake.close());

const gate = (o: { canPark: boolean; parked?: ParkedRequest }) => worldGate(world, o);

const request = { stepId: STEP, approvers: ['@acme/dba'], required: 2, selfApproval: false, message: 'Promote?' };
const ask = (g: ReturnType<typeof gate>, extra: { parkAfterMs?: number; timeoutMs?: number } = {}) =>
  clock.run(
    g.request({ ...request, timeoutMs: 60 * 60_000, ...extra, signal: new AbortController().signal }).then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error }),
    ),
  );
/** A review submitted now on the run request's pull request. */
const review = (user: string, state: string, body: string) => fake.addReview(12, user, state, HEAD, fake.now(), body);
const refusals = () =>
  records.filter((r) => r.type === 'approval:refused').map((r) => r.data as Record<string, unknown>);

/** Parks the gate on PR #12 after 5 minutes, with `before` run while it waits; returns the parked request. */
async function parkWith(before: () => void): Promise<ParkedRequest> {
  await events.emit('run:start', {
    runbook: 'db-failover',
    title: 'DB failover',
    planHash: PLAN,
    initiator: '@octo-initiator',
    inputs: {},
    dryRun: false,
    drill: false,
    objectives: {},
    phases: [{ id: 'only', steps: [STEP] }],
  });
  const waiting = ask(gate({ canPark: true }), { parkAfterMs: 5 * 60_000 });
  before();
  const first = await waiting;
  expect(first).toMatchObject({ error: expect.any(GateParked) });
  await events.emit('run:parked', (first as { error: GateParked }).error.park);
  return parkedGateOf(records, foldRun(records))!;
}

describe('a gate on the run request pull request is answered by reviews', () => {
  it('a parked gate resumes and is approved by reviews, the one before the park counting toward M-of-N', async () => {
    const parked = await parkWith(() => void review('dana-lee', 'APPROVED', `/approve ${STEP}`));
    expect(parked.grants.map((g) => g.approver)).toEqual(['@dana-lee']);
    await clock.run(clock.sleep(20 * 60_000));
    review('charlie-brown', 'COMMENTED', `/approve ${STEP} ${PLAN.slice(0, 12)}`);
    const second = await ask(gate({ canPark: true, parked }));
    expect(second).toEqual({ answer: { approved: true, approvedBy: ['@dana-lee', '@charlie-brown'] } });
    const grants = records.filter((r) => r.type === 'approval:granted').map((r) => r.data as Record<string, any>);
    expect(grants.map((g) => g.approval.source)).toEqual(['github-review', 'github-review']);
    expect(grants[1]!.approval.reference).toMatch(/\/pull\/12#pullrequestreview-\d+$/);
  });

  it('a dismissed review withdraws its approval', async () => {
    let id = 0;
    const parked = await parkWith(() => void (id = review('dana-lee', 'APPROVED', `/approve ${STEP}`)));
    fake.dismissReview(id);
    review('charlie-brown', 'APPROVED', `/approve ${STEP}`);
    const again = await ask(gate({ canPark: true, parked }));
    expect(again).toMatchObject({ error: expect.any(GateParked) });
    expect((again as { error: GateParked }).error.park.granted).toBe(1);
    expect(refusals().at(-1)).toMatchObject({
      approver: '@dana-lee',
      source: 'github-review',
      reason: 'approval review was dismissed; approval withdrawn',
    });
  });

  it('refuses an /approve in a review requesting changes, and a review by the run initiator', async () => {
    const waiting = ask(gate({ canPark: false }), { timeoutMs: 5 * 60_000 });
    review('dana-lee', 'CHANGES_REQUESTED', `/approve ${STEP}`);
    review('octo-initiator', 'COMMENTED', `/approve ${STEP}`);
    review('charlie-brown', 'APPROVED', `/approve ${STEP}`);
    const r = await waiting;
    expect(r).toMatchObject({ answer: { approved: false, reason: expect.stringMatching(/with 1 of 2 approval/) } });
    expect(refusals()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          approver: '@dana-lee',
          source: 'github-review',
          reason: expect.stringContaining('requests changes'),
        }),
        expect.objectContaining({
          approver: '@octo-initiator',
          source: 'github-review',
          reason: expect.stringContaining('cannot approve'),
        }),
      ]),
    );
  });

  it('a /reject in a review ends the gate refused', async () => {
    const waiting = ask(gate({ canPark: false }));
    review('dana-lee', 'CHANGES_REQUESTED', `/reject ${STEP} wrong region`);
    const r = await waiting;
    expect(r).toMatchObject({
      answer: { approved: false, reason: expect.stringContaining('rejected by @dana-lee: wrong region') },
    });
  });

  it('a gate on a plain issue, with a job token that has no pull-requests access, still reads its comments', async () => {
    await fake.close();
    fake = await startFakeGithub({ permissions: { contents: 'read', issues: 'write' } });
    fake.now = () => BASE + clock.now();
    fake.addTeam('acme/dba', { 'dana-lee': 'active', 'charlie-brown': 'active' });
    const gh = githubClient(fake.env(), testClientOptions());
    const issue = (await gh.octokit.issues.create({ ...gh.repo, title: 'Run' })).data.number;
    const g = githubCommentGate({ ...gateOptions(world, gh), issueNumber: issue, canPark: false });
    const waiting = ask(g, { timeoutMs: 5 * 60_000 });
    fake.addComment(issue, 'dana-lee', `/approve ${STEP}`, BASE + 30_000);
    fake.addComment(issue, 'charlie-brown', `/approve ${STEP}`, BASE + 40_000);
    expect(await waiting).toEqual({ answer: { approved: true, approvedBy: ['@dana-lee', '@charlie-brown'] } });
  });
});
