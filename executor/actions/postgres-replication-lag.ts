import { ActionError } from '../core/errors.js';
import { withPgClient } from '../pg/connect.js';
import {
  primaryLagSql,
  standbyLagSql,
  walReceiverName,
  type PrimaryLagRow,
  type StandbyLagRow,
} from '../pg/replication-lag-sql.js';
import { describeTarget } from '../pg/target.js';
import type { ActionContext, ActionDefinition } from './action.js';
import type { PostgresReplicationLagParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { PostgresReplicationLagParams };

/** Where the figures come from: the primary's WAL position (a measurement) or the standby alone (an estimate). */
export type LagSource = 'primary' | 'standby';

/** `result` of postgres.replication-lag: `x-result` plus the positions it was computed from. */
export interface PostgresReplicationLagResult {
  /**
   * Seconds of committed work the standby has not replayed; 0 when caught up; null when unknown
   * (a `lt` assert fails on null, so a gate retries rather than passes). Never less than the truth
   * when `source` is `primary`; with `standby` it cannot count what never arrived.
   */
  readonly lagSeconds: number | null;
  /** Bytes of WAL between the primary's `pg_current_wal_lsn()` and the standby's replay LSN; null with source `standby`. */
  readonly lagBytes: number | null;
  readonly source: LagSource;
  /** true/false when `primaryUrl` was given (reached or not); null when it was not. */
  readonly primaryReachable: boolean | null;
  /** Why the primary could not be used (an error code such as ECONNREFUSED), when it could not. */
  readonly primaryError: string | null;
  /** Always true: a server out of recovery is an error (see below). */
  readonly inRecovery: boolean;
  /** The primary's `pg_current_wal_lsn()`; null with source `standby`. */
  readonly primaryLsn: string | null;
  /** `pg_last_wal_receive_lsn()`: null when WAL comes from an archive rather than streaming. */
  readonly receiveLsn: string | null;
  readonly replayLsn: string | null;
  /** `pg_last_xact_replay_timestamp()` as PostgreSQL's text; null before the first replayed commit. */
  readonly lastReplayAt: string | null;
  /** `pg_stat_replication.replay_lag` of this standby on the primary, in seconds, when it shows one. */
  readonly replayLagSeconds: number | null;
  /**
   * Whether a WAL receiver is streaming from the primary right now (pg_stat_wal_receiver); also
   * false when the role may not read its details (needs pg_read_all_stats or superuser).
   */
  readonly streaming: boolean;
}

/**
 * In a disaster the primary's host may black-hole packets: a dead primary must not eat the step's
 * timeout before the standby-only figure is even taken.
 */
const primaryConnectTimeoutMs = 5_000;

/**
 * `postgres.replication-lag`: how much committed work a failover to this standby would lose.
 *
 * With `primaryUrl`, the standby is read first and the primary second, so the primary's position
 * can only have moved further ahead: the figures are never optimistic (see replication-lag-sql.ts
 * for how seconds are derived). If the primary cannot be reached (a connection failure: the real
 * disaster case), the standby-only figure is returned with `source: "standby"` and
 * `primaryReachable: false`, and the step log says it is an estimate. Configuration errors about
 * the primary (wrong password, a `primaryUrl` that is itself a standby) fail the step instead:
 * silently degrading every check to an estimate would hide them until the day it matters.
 *
 * A server that is not in recovery fails with a non-retryable ActionError `not-a-standby`: the
 * question has no answer there, and a step without an `assert` cannot "pass" against a URL that
 * points at the primary or at an already promoted server.
 */
export const postgresReplicationLagAction: ActionDefinition<
  PostgresReplicationLagParams,
  PostgresReplicationLagResult
> = {
  id: 'postgres.replication-lag',

  async run(params, ctx) {
    const standby = await readStandby(params.url, ctx);
    if (!params.primaryUrl) {
      ctx.log.info(
        'no primaryUrl: lag measured on the standby alone (an estimate: commits it never received are not counted)',
      );
      return standbyOnly(standby, null, null);
    }
    const primary = await readPrimary(params.primaryUrl, standby, ctx);
    if ('unreachable' in primary) {
      ctx.log.info(
        `primary unreachable (${primary.unreachable}): lag measured on the standby alone — an estimate, ` +
          'commits the standby never received are not counted',
      );
      return standbyOnly(standby, false, primary.unreachable);
    }
    ctx.log.info(`lag measured against the primary: ${primary.lag_bytes} bytes, ${primary.lag_seconds ?? 'unknown'} s`);
    return {
      ...common(standby),
      lagSeconds: primary.lag_seconds,
      lagBytes: primary.lag_bytes,
      source: 'primary',
      primaryReachable: true,
      primaryError: null,
      primaryLsn: primary.current_lsn,
      replayLagSeconds: primary.replay_lag_seconds,
    };
  },

  plan(params, ctx) {
    const where = describeTarget({ url: params.url });
    const standbyCall = { target: `postgres:${where}`, operation: 'query', args: { sql: standbyLagSql.trim() } };
    if (!params.primaryUrl) {
      return {
        summary: ctx.secrets.mask(
          `estimate the replay lag of the standby ${where} from the standby alone ` +
            '(no primaryUrl: commits it never received are not counted)',
        ),
        calls: [standbyCall],
      };
    }
    const primary = describeTarget({ url: params.primaryUrl });
    return {
      summary: ctx.secrets.mask(
        `measure the replay lag of the standby ${where} against the primary ${primary} ` +
          '(if the primary is unreachable: a standby-only estimate, flagged source=standby)',
      ),
      calls: [standbyCall, { target: `postgres:${primary}`, operation: 'query', args: { sql: primaryLagSql.trim() } }],
    };
  },
};

async function readStandby(url: string, ctx: ActionContext): Promise<StandbyLagRow> {
  return withPgClient({ url }, ctx, async (session) => {
    const row = (await session.query<StandbyLagRow>(standbyLagSql)).rows[0];
    if (!row.in_recovery) {
      throw new ActionError(
        `${session.target.display} is not a standby (pg_is_in_recovery() is false): it has no replication lag to measure`,
        {
          code: 'invalid-state',
        },
      );
    }
    return row;
  });
}

/**
 * The primary's side, or why it could not be reached. Only connection failures (retryable
 * ActionErrors from withPgClient) fall back; an aborted step still aborts.
 */
async function readPrimary(
  url: string,
  standby: StandbyLagRow,
  ctx: ActionContext,
): Promise<PrimaryLagRow | { unreachable: string }> {
  try {
    return await withPgClient(
      { url },
      ctx,
      async (session) => {
        const args = [standby.replay_lsn, standby.last_replay_at, walReceiverName(standby.receiver_conninfo)];
        const row = (await session.query<PrimaryLagRow>(primaryLagSql, args)).rows[0];
        if (row.in_recovery) {
          throw new ActionError(
            `primaryUrl ${session.target.display} is in recovery: it is not the primary (fix primaryUrl, or omit it for a standby-only estimate)`,
            {
              code: 'invalid-state',
            },
          );
        }
        // WAL positions of two different clusters compare as numbers and mean nothing.
        if (row.system_id && standby.system_id && row.system_id !== standby.system_id) {
          throw new ActionError(
            `primaryUrl ${session.target.display} is another cluster than the standby (system identifier ${row.system_id}, standby ${standby.system_id})`,
            {
              code: 'bad-params',
            },
          );
        }
        return row;
      },
      { connectTimeoutMs: primaryConnectTimeoutMs },
    );
  } catch (error) {
    if (ctx.signal.aborted || !(error instanceof ActionError) || !error.retryable) throw error;
    return { unreachable: error.providerCode ?? error.code };
  }
}

function common(s: StandbyLagRow) {
  return {
    inRecovery: true,
    receiveLsn: s.receive_lsn,
    replayLsn: s.replay_lsn,
    lastReplayAt: s.last_replay_at,
    streaming: s.streaming,
  };
}

function standbyOnly(
  s: StandbyLagRow,
  primaryReachable: boolean | null,
  primaryError: string | null,
): PostgresReplicationLagResult {
  return {
    ...common(s),
    lagSeconds: s.lag_seconds,
    lagBytes: null,
    source: 'standby',
    primaryReachable,
    primaryError,
    primaryLsn: null,
    replayLagSeconds: null,
  };
}
