import { parseDuration } from '../../ir/duration.js';
import { ActionError } from '../core/errors.js';
import { withPgClient, type PgSession } from '../pg/connect.js';
import { describeTarget } from '../pg/target.js';
import type { ActionContext, ActionDefinition } from './action.js';
import type { PostgresPromoteParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { PostgresPromoteParams };

/** `result` of postgres.promote, as its `x-result`, plus `alreadyPrimary`. */
export interface PostgresPromoteResult {
  /** True when the server has left recovery (whether this call or an earlier one promoted it). */
  readonly promoted: boolean;
  /** `pg_is_in_recovery()` after the call. */
  readonly inRecovery: boolean;
  /** True when the server was not in recovery to begin with: nothing was done. */
  readonly alreadyPrimary: boolean;
}

const defaultTimeoutMs = 60_000;
const pollIntervalMs = 250;

/**
 * `postgres.promote`: `pg_promote(wait => true, wait_seconds => N)` on a standby, then polls
 * `pg_is_in_recovery()` until false, bounded by `timeout` and the step's signal. A server that is
 * already out of recovery succeeds with `alreadyPrimary: true`, so re-running the step after an
 * interruption (or a promotion done by hand) is safe even though promotion itself is one-way.
 */
export const postgresPromoteAction: ActionDefinition<PostgresPromoteParams, PostgresPromoteResult> = {
  id: 'postgres.promote',

  async run(params, ctx) {
    const wait = parseWait(params.wait);
    const timeoutMs = parseTimeout(params.timeout);
    const deadline = ctx.clock.now() + timeoutMs;
    return withPgClient({ url: params.url }, ctx, async (session) => {
      if (!(await inRecovery(session))) return done(false, true);

      ctx.log.info(`promoting ${session.target.display}`);
      const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
      try {
        await session.query('select pg_promote(wait => $1, wait_seconds => $2) as promoted', [wait, seconds]);
      } catch (error) {
        // 55000 "recovery is not in progress": someone promoted it between our check and the call.
        if ((error as { code?: unknown }).code === '55000' && !(await inRecovery(session))) return done(false, true);
        throw error;
      }
      if (!wait) return done(await inRecovery(session), false);
      await waitForPrimary(session, ctx, deadline, timeoutMs);
      return done(false, false);
    });
  },

  plan(params, ctx) {
    const where = describeTarget({ url: params.url });
    const wait = safe(() => parseWait(params.wait), true);
    const seconds = Math.ceil(safe(() => parseTimeout(params.timeout), defaultTimeoutMs) / 1000);
    return {
      summary: ctx.secrets.mask(
        `promote the standby ${where}${wait ? ` and wait up to ${seconds}s until it leaves recovery` : ''}`,
      ),
      calls: [
        { target: `postgres:${where}`, operation: 'pg_promote', args: { wait, wait_seconds: seconds } },
        ...(wait ? [{ target: `postgres:${where}`, operation: 'poll pg_is_in_recovery() until false' }] : []),
      ],
    };
  },
};

function done(inRecoveryNow: boolean, alreadyPrimary: boolean): PostgresPromoteResult {
  return { promoted: !inRecoveryNow, inRecovery: inRecoveryNow, alreadyPrimary };
}

async function inRecovery(session: PgSession): Promise<boolean> {
  const { rows } = await session.query<{ in_recovery: boolean }>('select pg_is_in_recovery() as in_recovery');
  return rows[0].in_recovery;
}

/** pg_promote already waited; this covers `wait_seconds` rounding and a `false` return (not done in time). */
async function waitForPrimary(
  session: PgSession,
  ctx: ActionContext,
  deadline: number,
  timeoutMs: number,
): Promise<void> {
  while (await inRecovery(session)) {
    if (ctx.clock.now() >= deadline) {
      // Retryable: pg_promote only signals the server, so calling it again while promotion is
      // still under way is harmless.
      throw new ActionError(
        `${session.target.display} is still in recovery ${Math.round(timeoutMs / 1000)}s after pg_promote()`,
        {
          code: 'wait-timeout',
        },
      );
    }
    await ctx.clock.sleep(Math.min(pollIntervalMs, Math.max(0, deadline - ctx.clock.now())), ctx.signal);
  }
}

function parseWait(value: PostgresPromoteParams['wait']): boolean {
  if (value === undefined || value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ActionError(`postgres.promote: "wait" must be true or false, got ${JSON.stringify(value)}`, {
    code: 'bad-params',
  });
}

function parseTimeout(value: PostgresPromoteParams['timeout']): number {
  if (value === undefined) return defaultTimeoutMs;
  const ms = typeof value === 'number' ? value : parseDuration(String(value));
  if (ms === undefined || !(ms > 0)) {
    throw new ActionError(`postgres.promote: "timeout" must be a duration such as 60s, got ${JSON.stringify(value)}`, {
      code: 'bad-params',
    });
  }
  return ms;
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
