import { formatDuration, parseDuration } from '../../ir/duration.js';
import { isFalseRendering } from '../../ir/handlebars.js';
import { ActionError, isRetryable } from '../core/errors.js';
import type { WaitResult } from '../../common/actions-catalog/index.js';
import type { ActionContext, ActionDefinition } from './action.js';

/**
 * `with` of `wait` (schemas/actions/wait.schema.json). `until` must arrive unrendered: it is
 * evaluated against each poll's `result` (the compiler scopes it like `assert`).
 */
export type WaitParams = {
  duration?: string | number;
  until?: string;
  interval?: string | number;
  timeout?: string | number;
  check?: { uses: string; with?: Record<string, unknown> };
};

/** The result, as the schema's `x-result` (generated). */
export type { WaitResult };

const DEFAULT_INTERVAL_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * `wait`: sleeps `duration`, or polls `check` every `interval` until `until` renders truthy
 * (not "", "false", "0", "null", "undefined"), at most `timeout`. A poll that throws a retryable
 * error counts as "not yet" (a service still down is what one waits for); a non-retryable one
 * (access denied, bad parameters) ends the wait at once. Time comes from `ctx.clock`.
 */
export const waitAction: ActionDefinition<WaitParams, WaitResult> = {
  id: 'wait',
  rawParams: ['until'],
  actionParams: ['check'],
  async run(params, ctx) {
    const started = ctx.clock.now();
    const { until, check } = params;
    if (until === undefined || check === undefined) {
      const ms = durationMs(params.duration, undefined, 'duration');
      ctx.log.info(`waiting ${formatDuration(ms)}`);
      await ctx.clock.sleep(ms, ctx.signal);
      return { elapsedMs: ctx.clock.now() - started, attempts: 0 };
    }
    return poll({ ...params, until, check }, ctx, started);
  },
  plan(params, ctx) {
    if (params.until === undefined || params.check === undefined) {
      const ms = durationMs(params.duration, undefined, 'duration');
      return { summary: `wait ${formatDuration(ms)}`, calls: [] };
    }
    const interval = durationMs(params.interval, DEFAULT_INTERVAL_MS, 'interval');
    const timeout = durationMs(params.timeout, DEFAULT_TIMEOUT_MS, 'timeout');
    return {
      summary: `poll ${params.check.uses} every ${formatDuration(interval)} until ${params.until} (at most ${formatDuration(timeout)})`,
      calls: [
        {
          target: `action:${params.check.uses}`,
          operation: 'poll',
          args: {
            with: ctx.secrets.maskDeep(params.check.with ?? {}),
            until: params.until,
            intervalMs: interval,
            timeoutMs: timeout,
          },
        },
      ],
    };
  },
};

type Polling = WaitParams & Required<Pick<WaitParams, 'until' | 'check'>>;

async function poll(params: Polling, ctx: ActionContext, started: number): Promise<WaitResult> {
  const interval = durationMs(params.interval, DEFAULT_INTERVAL_MS, 'interval');
  const timeout = durationMs(params.timeout, DEFAULT_TIMEOUT_MS, 'timeout');
  const deadline = started + timeout;
  let attempts = 0;
  let lastProblem: string;
  for (;;) {
    attempts++;
    try {
      const result = await ctx.services.runAction(params.check.uses, params.check.with ?? {}, ctx.signal);
      const rendered = ctx.services.render(params.until, { result });
      if (!isFalseRendering(rendered)) {
        ctx.log.info(`poll ${attempts}: condition holds`);
        // Every action's result is an object (each `x-result` has type object).
        return { elapsedMs: ctx.clock.now() - started, attempts, last: result as Record<string, unknown> };
      }
      lastProblem = `${params.until} rendered ${JSON.stringify(ctx.secrets.mask(rendered.trim()))}`;
      ctx.log.info(`poll ${attempts}: not yet`);
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (!isRetryable(error)) throw error;
      lastProblem = ctx.secrets.mask(error instanceof Error ? error.message : String(error));
      ctx.log.info(`poll ${attempts}: ${lastProblem}`);
    }
    const remaining = deadline - ctx.clock.now();
    if (remaining <= 0) {
      throw new ActionError(
        `gave up after ${formatDuration(timeout)} and ${attempts} polls of ${params.check.uses}: ${lastProblem}`,
        {
          code: 'wait-timeout',
        },
      );
    }
    // The last sleep is shortened so one final poll happens at the deadline.
    await ctx.clock.sleep(Math.min(interval, remaining), ctx.signal);
  }
}

function durationMs(value: string | number | undefined, fallback: number | undefined, field: string): number {
  if ((value === undefined || value === '') && fallback !== undefined) return fallback;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseDuration(value.trim()) : undefined;
  if (ms === undefined || !(ms >= 0)) {
    throw new ActionError(`wait: ${field} must be a duration like 30s, got ${JSON.stringify(value ?? null)}`, {
      code: 'bad-params',
    });
  }
  return ms;
}
