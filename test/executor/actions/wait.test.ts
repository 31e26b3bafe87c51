import { describe, expect, it } from 'vitest';
import { waitAction } from '../../../executor/actions/wait.js';
import { ActionError, RunCancelled } from '../../../executor/core/errors.js';
import { fakeClock, fakeContext } from './context.js';

describe('wait', () => {
  it('sleeps a duration on the clock', async () => {
    const clock = fakeClock();
    const { ctx } = fakeContext({ clock });
    const result = await waitAction.run({ duration: '5m' }, ctx);
    expect(clock.slept).toEqual([300_000]);
    expect(result).toEqual({ elapsedMs: 300_000, attempts: 0 });
  });

  it('polls the check every interval until the condition holds', async () => {
    const clock = fakeClock();
    const statuses = ['creating', 'modifying', 'available'];
    const calls: unknown[] = [];
    const { ctx } = fakeContext({
      clock,
      runAction: async (uses, params) => {
        calls.push([uses, params]);
        return { status: statuses.shift() };
      },
    });
    const result = await waitAction.run(
      {
        until: '{{eq result.status "available"}}',
        interval: '30s',
        check: { uses: 'aws.rds.describe-db-instance', with: { dbInstanceIdentifier: 'db-1' } },
      },
      ctx,
    );
    expect(result).toEqual({ elapsedMs: 60_000, attempts: 3, last: { status: 'available' } });
    expect(calls).toEqual(Array(3).fill(['aws.rds.describe-db-instance', { dbInstanceIdentifier: 'db-1' }]));
    expect(clock.slept).toEqual([30_000, 30_000]);
  });

  it('treats a retryable poll failure as "not yet"', async () => {
    let n = 0;
    const { ctx, rec } = fakeContext({
      clock: fakeClock(),
      runAction: async () => {
        if (++n < 3) throw new ActionError('GET http://svc/health returned 503', { code: 'http-status' });
        return { status: 200 };
      },
    });
    const result = await waitAction.run(
      { until: '{{eq result.status 200}}', interval: '5s', check: { uses: 'http.check' } },
      ctx,
    );
    expect(result.attempts).toBe(3);
    expect(rec.info[0]).toContain('returned 503');
  });

  it('stops at a non-retryable poll failure', async () => {
    const { ctx } = fakeContext({
      clock: fakeClock(),
      runAction: async () => {
        throw new ActionError('access denied', { code: 'access-denied' });
      },
    });
    await expect(waitAction.run({ until: '{{result.ok}}', check: { uses: 'http.check' } }, ctx)).rejects.toMatchObject({
      code: 'access-denied',
    });
  });

  it('gives up after the timeout with a final poll at the deadline', async () => {
    const clock = fakeClock();
    const { ctx } = fakeContext({ clock, runAction: async () => ({ status: 'creating' }) });
    const error = (await waitAction
      .run(
        {
          until: '{{eq result.status "available"}}',
          interval: '10s',
          timeout: '25s',
          check: { uses: 'aws.rds.describe-db-instance' },
        },
        ctx,
      )
      .catch((e: unknown) => e)) as ActionError;
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'wait-timeout', retryable: true });
    expect(clock.slept).toEqual([10_000, 10_000, 5_000]);
  });

  it('rejects with the abort reason when cancelled while sleeping', async () => {
    const controller = new AbortController();
    controller.abort(new RunCancelled('SIGINT'));
    const { ctx } = fakeContext({ signal: controller.signal, clock: fakeClock() });
    await expect(waitAction.run({ duration: '1h' }, ctx)).rejects.toBeInstanceOf(RunCancelled);
  });

  it('rejects a malformed duration without retry', async () => {
    const { ctx } = fakeContext({ clock: fakeClock() });
    await expect(waitAction.run({ duration: 'soon' }, ctx)).rejects.toMatchObject({
      retryable: false,
      code: 'bad-params',
    });
  });
});
