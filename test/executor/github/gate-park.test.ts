import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditLog, AuditRecord } from '../../../executor/audit/record.js';
import { GateParked } from '../../../executor/core/parked.js';
import { foldRun } from '../../../executor/run-state/fold-run.js';
import { parkedGateOf } from '../../../executor/run/parked-gate.js';
import type { ParkedRequest } from '../../../executor/core/parked.js';
import type { FakeClock } from '../../support/fake-clock.js';
import { GATE_BASE, GATE_PLAN, newGateWorld, worldGate, type GateWorld } from '../../support/gate-world.js';
import type { FakeGithub } from '../../support/fake-github.js';

/**
 * Issue 13, parked gates at the gate itself: a GitHub gate that can park (a database journal of
 * record) parks after its parkAfter; the resumed gate continues the original request, and grants
 * made before the park count toward M-of-N after it.
 */
const PLAN = GATE_PLAN;
const BASE = GATE_BASE;
const STEP = 'promote';
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

/** The gate's original request as a resume continues it: no grants yet, an hour to the deadline. */
const openRequest = (): ParkedRequest => ({
  stepId: STEP,
  commentId: 1,
  createdAt: new Date(BASE).toISOString(),
  bot: fake.bot,
  judged: [],
  deadline: new Date(BASE + 60 * 60_000).toISOString(),
  initiator: '@octo-initiator',
  grants: [],
});

describe('a GitHub gate that can park', () => {
  it('parks after parkAfter, then continues its original request: grants before the park count toward M-of-N', async () => {
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
    fake.addComment(12, 'dana-lee', `/approve ${STEP}`, BASE + 30_000);
    const first = await ask(gate({ canPark: true }), { parkAfterMs: 5 * 60_000 });
    expect(first).toMatchObject({ error: expect.any(GateParked) });
    const park = (first as { error: GateParked }).error.park;
    expect(clock.now()).toBe(5 * 60_000);
    expect(park).toMatchObject({ stepId: STEP, required: 2, granted: 1, parkAfterMs: 5 * 60_000 });
    expect(Date.parse(park.deadline!)).toBe(BASE + 60 * 60_000);
    // The issue says who can approve (the Directory's names) and the exact command.
    const note = fake.visibleComments(12).at(-1)!.current;
    expect(note).toContain('Run parked: waiting for approval of `promote`');
    expect(note).toContain('@acme/dba (@dana-lee, @charlie-brown)');
    expect(note).toContain(`/approve ${STEP} ${PLAN.slice(0, 12)}`);
    await events.emit('run:parked', park);

    // Resumed later: the second approver's comment completes the gate with the first one's grant.
    await clock.run(clock.sleep(20 * 60_000));
    fake.addComment(12, 'charlie-brown', `/approve ${STEP}`, BASE + clock.now());
    const parked = parkedGateOf(records, foldRun(records))!;
    expect(parked.grants.map((g) => g.approver)).toEqual(['@dana-lee']);
    const requests = fake.visibleComments(12).filter((c) => c.current.includes('Approval needed')).length;
    const second = await ask(gate({ canPark: true, parked }));
    expect(second).toEqual({ answer: { approved: true, approvedBy: ['@dana-lee', '@charlie-brown'] } });
    // No new request: neither posted nor journaled.
    expect(fake.visibleComments(12).filter((c) => c.current.includes('Approval needed'))).toHaveLength(requests);
    expect(records.filter((r) => r.type === 'approval:requested')).toHaveLength(1);
  });

  it('a resumed gate that is still short of approvals parks again at once', async () => {
    const parked = openRequest();
    const again = await ask(gate({ canPark: true, parked }));
    expect(again).toMatchObject({ error: expect.any(GateParked) });
    expect(clock.now()).toBe(0);
  });

  it('a /reject read by the resumed gate ends it refused (the step then fails into its onFailure)', async () => {
    const parked = openRequest();
    fake.addComment(12, 'dana-lee', `/reject ${STEP} wrong region`, BASE + 60_000);
    await clock.run(clock.sleep(2 * 60_000));
    const r = await ask(gate({ canPark: true, parked }));
    expect(r).toMatchObject({
      answer: { approved: false, reason: expect.stringContaining('rejected by @dana-lee: wrong region') },
    });
    expect(records.filter((x) => x.type === 'approval:refused').at(-1)!.data).toMatchObject({ approver: '@dana-lee' });
  });

  it('never parks without a database journal of record: it waits in the job until its timeout', async () => {
    const r = await ask(gate({ canPark: false }), { parkAfterMs: 1_000, timeoutMs: 5 * 60_000 });
    expect(r).toMatchObject({ answer: { approved: false, reason: expect.stringMatching(/^timed out after 5m/) } });
  });
});
