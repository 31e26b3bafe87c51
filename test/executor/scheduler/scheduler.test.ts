import { describe, expect, it } from 'vitest';
import type { IrBody, IrNode } from '../../../ir/types.js';
import { ActionError } from '../../../executor/core/errors.js';
import type { EventSink, RunEvents, RunEventType, StepStatus } from '../../../executor/core/events.js';
import { runGraph, type SchedulerOptions } from '../../../executor/scheduler/scheduler.js';
import type { StepRunner } from '../../../executor/scheduler/step-runner.js';
import { FakeClock } from '../../support/fake-clock.js';
import { graphOf } from './graph-builder.js';

/** What a fake step does: take `ms`, fail its first `fails` attempts, produce `outputs`. */
interface Behaviour {
  ms?: number;
  fails?: number;
  fatal?: boolean;
  outputs?: Record<string, unknown>;
  skip?: boolean;
  ignoresSignal?: boolean;
}

function harness(behaviours: Record<string, Behaviour>, clock = new FakeClock()) {
  const log: string[] = [];
  const events: { type: RunEventType; data: unknown; at: number }[] = [];
  const seen: Record<string, { status: StepStatus; outputs: Record<string, unknown> }> = {};
  const attempts: Record<string, number> = {};
  const signals: Record<string, AbortSignal> = {};
  const sink: EventSink = {
    async emit<T extends RunEventType>(type: T, data: RunEvents[T]) {
      events.push({ type, data, at: clock.now() });
    },
  };
  const runner: StepRunner = {
    dryRun: false,
    sideEffects: () => true,
    shouldRun: (n) => !behaviours[n.id]?.skip,
    gate: async () => undefined,
    async attempt(n: IrNode, attempt: number, signal: AbortSignal) {
      const b = behaviours[n.id] ?? {};
      attempts[n.id] = attempt;
      signals[n.id] = signal;
      log.push(`start ${n.id}@${clock.now()}`);
      await clock.sleep(b.ms ?? 1000, b.ignoresSignal ? undefined : signal);
      if (attempt <= (b.fails ?? 0))
        throw new ActionError(`${n.id} failed`, { code: b.fatal ? 'access-denied' : 'throttled' });
      log.push(`end ${n.id}@${clock.now()}`);
      return { outputs: b.outputs ?? {} };
    },
    async compensate(n: IrNode, _body: IrBody) {
      log.push(`compensate ${n.id}`);
      if (behaviours[n.id]?.fatal && behaviours[n.id]?.fails === 0) throw new Error('compensation failed');
    },
    record(n, status, outputs) {
      seen[n.id] = { status, outputs };
    },
  };
  const run = (graph: ReturnType<typeof graphOf>, extra: Partial<SchedulerOptions> = {}) =>
    clock.run(
      runGraph({
        graph,
        runner,
        events: sink,
        clock,
        signal: new AbortController().signal,
        random: () => 0.5,
        ...extra,
      }),
    );
  return { clock, log, events, seen, attempts, signals, run };
}

describe('scheduler', () => {
  it('runs a sequence in order, each step after the one it needs', async () => {
    const h = harness({ a: { ms: 1000 }, b: { ms: 2000 }, c: { ms: 500 } });
    const r = await h.run(graphOf({ p: [{ id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'c', needs: ['b'] }] }));
    expect(r.status).toBe('succeeded');
    expect(h.log).toEqual(['start a@0', 'end a@1000', 'start b@1000', 'end b@3000', 'start c@3000', 'end c@3500']);
  });

  it('starts independent steps together and finishes in the critical path time', async () => {
    const h = harness({ a: { ms: 5000 }, b: { ms: 2000 }, c: { ms: 1000 } });
    await h.run(graphOf({ p: [{ id: 'a' }, { id: 'b' }, { id: 'c', needs: ['b'] }] }));
    // Steps that become ready at the same instant may start in any order.
    expect(h.log.filter((l) => l.startsWith('start')).sort()).toEqual(['start a@0', 'start b@0', 'start c@2000']);
    expect(h.clock.now()).toBe(5000);
  });

  it('never runs more steps at once than the concurrency limit', async () => {
    const h = harness({});
    await h.run(graphOf({ p: ['a', 'b', 'c', 'd'].map((id) => ({ id })) }), { concurrency: 2 });
    expect(h.log.filter((l) => l.startsWith('start')).sort()).toEqual([
      'start a@0',
      'start b@0',
      'start c@1000',
      'start d@1000',
    ]);
  });

  it('skips a step whose condition is false; its dependents still run', async () => {
    const h = harness({ b: { skip: true } });
    const r = await h.run(graphOf({ p: [{ id: 'a' }, { id: 'b', needs: ['a'] }, { id: 'c', needs: ['b'] }] }));
    expect(r.steps.get('b')?.status).toBe('skipped');
    expect(r.steps.get('c')?.status).toBe('succeeded');
    expect(h.events.filter((e) => e.type === 'step:start').map((e) => (e.data as { stepId: string }).stepId)).toEqual([
      'a',
      'c',
    ]);
  });

  it('records outputs before dependents start', async () => {
    const h = harness({ a: { outputs: { endpoint: 'db.example.com' } } });
    await h.run(graphOf({ p: [{ id: 'a' }, { id: 'b', needs: ['a'] }] }));
    expect(h.seen.a).toEqual({ status: 'succeeded', outputs: { endpoint: 'db.example.com' } });
  });

  it('times out an attempt, aborting its signal, even if the action ignores it', async () => {
    const h = harness({ slow: { ms: 60_000 }, stubborn: { ms: 60_000, ignoresSignal: true } });
    const r = await h.run(
      graphOf(
        {
          p: [
            { id: 'slow', timeoutMs: 5000, onFailure: 'continue' },
            { id: 'stubborn', timeoutMs: 3000, onFailure: 'continue' },
          ],
        },
        { onFailure: 'continue' },
      ),
    );
    expect(r.steps.get('slow')?.status).toBe('timed-out');
    expect(h.signals.slow.aborted).toBe(true);
    // Both start at 0 (no needs); the one ignoring its signal still ends at its own timeout.
    expect(r.steps.get('stubborn')).toMatchObject({ status: 'timed-out', endedAt: 3000 });
  });

  it('retries with exponential backoff, then succeeds', async () => {
    const h = harness({ flaky: { fails: 2 } });
    const r = await h.run(
      graphOf({ p: [{ id: 'flaky', retry: { attempts: 3, delayMs: 1000, backoff: 'exponential' } }] }),
    );
    expect(r.status).toBe('succeeded');
    const retries = h.events.filter((e) => e.type === 'step:retry').map((e) => (e.data as { delayMs: number }).delayMs);
    expect(retries).toEqual([1000, 2000]);
    expect(h.log).toEqual(['start flaky@0', 'start flaky@2000', 'start flaky@5000', 'end flaky@6000']);
  });

  it('step:retry and step:end carry the code of the error, not its wording', async () => {
    const h = harness({ flaky: { fails: 1 }, denied: { fails: 1, fatal: true }, slow: { ms: 5000 } });
    const retry = { attempts: 2, delayMs: 10, backoff: 'fixed' as const };
    await h.run(
      graphOf(
        {
          p: [
            { id: 'flaky', retry },
            { id: 'denied', retry },
            { id: 'slow', timeoutMs: 1000 },
          ],
        },
        { onFailure: 'continue' },
      ),
    );
    const data = (type: RunEventType) => h.events.filter((e) => e.type === type).map((e) => e.data);
    expect(data('step:retry')).toEqual([expect.objectContaining({ stepId: 'flaky', code: 'throttled' })]);
    expect(data('step:end')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stepId: 'denied', status: 'failed', code: 'access-denied' }),
        expect.objectContaining({ stepId: 'slow', status: 'timed-out', code: 'timeout' }),
      ]),
    );
    expect(data('step:end').find((e) => (e as { stepId: string }).stepId === 'flaky')).not.toHaveProperty('code');
  });

  it('does not retry an error that says retrying cannot help', async () => {
    const h = harness({ denied: { fails: 5, fatal: true } });
    const r = await h.run(graphOf({ p: [{ id: 'denied', retry: { attempts: 5, delayMs: 10, backoff: 'fixed' } }] }));
    expect(r.status).toBe('failed');
    expect(h.attempts.denied).toBe(1);
  });

  it('abort: starts nothing new, lets running steps finish', async () => {
    const h = harness({ bad: { ms: 1000, fails: 1 }, long: { ms: 5000 } });
    const r = await h.run(graphOf({ p: [{ id: 'bad' }, { id: 'long' }, { id: 'after', needs: ['bad'] }] }));
    expect(r.status).toBe('failed');
    expect(r.steps.get('long')?.status).toBe('succeeded');
    expect(r.notStarted).toEqual(['after']);
  });

  it('continue: records the failure and goes on', async () => {
    const h = harness({ bad: { fails: 1 } });
    const r = await h.run(
      graphOf({
        p: [
          { id: 'bad', onFailure: 'continue' },
          { id: 'next', needs: ['bad'] },
        ],
      }),
    );
    expect(r.status).toBe('succeeded');
    expect(r.failed).toEqual(['bad']);
    expect(r.steps.get('next')?.status).toBe('succeeded');
  });

  it('rollback: compensates completed steps in reverse completion order', async () => {
    const h = harness({ a: { ms: 1000 }, b: { ms: 3000 }, c: { ms: 2000 }, d: { fails: 1 } });
    const body: IrBody = { uses: 'fake', with: {}, env: {} };
    const g = graphOf(
      {
        p: [
          { id: 'a', rollback: body },
          { id: 'b', rollback: body },
          { id: 'c', rollback: body },
        ],
        q: [{ id: 'd', needs: ['a', 'b', 'c'] }],
      },
      { onFailure: 'rollback' },
    );
    const r = await h.run(g);
    expect(r.status).toBe('rolled-back');
    expect(h.log.filter((l) => l.startsWith('compensate'))).toEqual(['compensate b', 'compensate c', 'compensate a']);
  });

  it('rollback stops at a point of no return', async () => {
    const h = harness({ a: {}, b: {}, c: {}, d: { fails: 1 } });
    const body: IrBody = { uses: 'fake', with: {}, env: {} };
    const g = graphOf(
      {
        p: [
          { id: 'a', rollback: body },
          { id: 'b', irreversible: true, needs: ['a'] },
          { id: 'c', rollback: body, needs: ['b'] },
          { id: 'd', needs: ['c'] },
        ],
      },
      { onFailure: 'rollback' },
    );
    const r = await h.run(g);
    // `a` has a rollback and was left in place: the run must not claim it was rolled back.
    expect(r.status).toBe('rollback-incomplete');
    expect(r.rollback).toEqual({ notUndone: ['a'], reason: 'stopped at irreversible step b' });
    expect(h.log.filter((l) => l.startsWith('compensate'))).toEqual(['compensate c']);
    expect(h.events.find((e) => e.type === 'rollback:end')?.data).toEqual({
      status: 'stopped-at-irreversible',
      stoppedAt: 'b',
      notUndone: ['a'],
      reason: 'stopped at irreversible step b',
    });
  });

  it('a stop at a point of no return after every reversible step was undone is a full rollback', async () => {
    const h = harness({ a: {}, b: {}, c: {}, d: { fails: 1 } });
    const body: IrBody = { uses: 'fake', with: {}, env: {} };
    const g = graphOf(
      {
        p: [
          { id: 'a' },
          { id: 'b', irreversible: true, needs: ['a'] },
          { id: 'c', rollback: body, needs: ['b'] },
          { id: 'd', needs: ['c'] },
        ],
      },
      { onFailure: 'rollback' },
    );
    const r = await h.run(g);
    expect(r.status).toBe('rolled-back');
    expect(r.rollback).toBeUndefined();
  });

  it('a failing compensation leaves the rollback incomplete, naming the step and the error', async () => {
    const h = harness({ a: {}, b: { fatal: true, fails: 0 }, c: { fails: 1 } });
    const body: IrBody = { uses: 'fake', with: {}, env: {} };
    const g = graphOf(
      {
        p: [
          { id: 'a', rollback: body },
          { id: 'b', rollback: body, needs: ['a'] },
          { id: 'c', needs: ['b'] },
        ],
      },
      { onFailure: 'rollback' },
    );
    const r = await h.run(g);
    expect(r.status).toBe('rollback-incomplete');
    expect(r.rollback).toEqual({ notUndone: ['b', 'a'], reason: 'rollback of b failed: compensation failed' });
    expect(h.log.filter((l) => l.startsWith('compensate'))).toEqual(['compensate b']);
  });

  it('cancellation aborts running steps and starts nothing new', async () => {
    const h = harness({ a: { ms: 10_000 } });
    const ctrl = new AbortController();
    void h.clock.sleep(5000).then(() => ctrl.abort());
    const r = await h.run(graphOf({ p: [{ id: 'a' }, { id: 'b', needs: ['a'] }] }), { signal: ctrl.signal });
    expect(r.status).toBe('interrupted');
    expect(r.steps.get('a')?.status).toBe('cancelled');
    expect(r.notStarted).toEqual(['b']);
  });

  it('journal first: an action starts only after step:start is durable', async () => {
    const clock = new FakeClock();
    const h = harness({}, clock);
    const order: string[] = [];
    const slowSink: EventSink = {
      async emit(type, data) {
        if (type === 'step:start') {
          await clock.sleep(100);
          order.push(`durable ${(data as { stepId: string }).stepId}@${clock.now()}`);
        }
      },
    };
    const g = graphOf({ p: [{ id: 'a' }] });
    await clock.run(
      runGraph({
        graph: g,
        runner: {
          ...runnerFrom(h),
          attempt: async (n) => {
            order.push(`run ${n.id}@${clock.now()}`);
            return { outputs: {} };
          },
        },
        events: slowSink,
        clock,
        signal: new AbortController().signal,
      }),
    );
    expect(order).toEqual(['durable a@100', 'run a@100']);
  });

  it('a resumed run skips restored steps and gives their outputs to later steps', async () => {
    const h = harness({});
    const restored = new Map([['a', { status: 'succeeded' as const, outputs: { x: 1 } }]]);
    const r = await h.run(graphOf({ p: [{ id: 'a' }, { id: 'b', needs: ['a'] }] }), { restored });
    expect(h.log.some((l) => l.includes(' a@'))).toBe(false);
    expect(h.seen.a.outputs).toEqual({ x: 1 });
    expect(r.steps.get('b')?.status).toBe('succeeded');
  });
});

function runnerFrom(h: ReturnType<typeof harness>): StepRunner {
  return {
    dryRun: false,
    sideEffects: () => true,
    shouldRun: () => true,
    gate: async () => undefined,
    attempt: async () => ({ outputs: {} }),
    compensate: async () => undefined,
    record: (n, s, o) => (h.seen[n.id] = { status: s, outputs: o }),
  };
}
