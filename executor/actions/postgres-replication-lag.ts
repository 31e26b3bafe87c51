import { ActionError } from '../core/errors.js';
import { withPgClient } from '../pg/connect.js';
import { describeTarget } from '../pg/target.js';
import type { ActionDefinition } from './action.js';

/** `with` of postgres.replication-lag. */
export interface PostgresReplicationLagParams {
  readonly url: string;
}

/** `result` of postgres.replication-lag: `x-result` plus the positions it was computed from. */
export interface PostgresReplicationLagResult {
  /** Seconds of replay lag; 0 when everything received is replayed; null when unknown. */
  readonly lagSeconds: number | null;
  /** Always true: a server out of recovery is an error (see below). */
  readonly inRecovery: boolean;
  /** `pg_last_wal_receive_lsn()`: null when WAL comes from an archive rather than streaming. */
  readonly receiveLsn: string | null;
  readonly replayLsn: string | null;
  /** `pg_last_xact_replay_timestamp()` as PostgreSQL's text; null before the first replayed commit. */
  readonly lastReplayAt: string | null;
  /**
   * Whether a WAL receiver is streaming from the primary right now (pg_stat_wal_receiver); also
   * false when the role may not read its details (needs pg_read_all_stats or superuser).
   */
  readonly streaming: boolean;
}

/**
 * Caught up (everything received is replayed) counts as 0: on an idle primary nothing commits, so
 * `now() - pg_last_xact_replay_timestamp()` grows forever and alone would block every failover.
 * Otherwise the lag is the age of the last replayed commit, PostgreSQL's usual approximation.
 */
const lagSql = `
select pg_is_in_recovery() as in_recovery,
  pg_last_wal_receive_lsn()::text as receive_lsn,
  pg_last_wal_replay_lsn()::text as replay_lsn,
  pg_last_xact_replay_timestamp()::text as last_replay_at,
  exists (select 1 from pg_stat_wal_receiver where status = 'streaming') as streaming,
  case
    when not pg_is_in_recovery() then null
    when pg_last_wal_receive_lsn() is not null and pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() then 0
    when pg_last_xact_replay_timestamp() is null then null
    else greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp()))::float8
  end as lag_seconds`;

interface LagRow {
  in_recovery: boolean;
  receive_lsn: string | null;
  replay_lsn: string | null;
  last_replay_at: string | null;
  streaming: boolean;
  lag_seconds: number | null;
}

/**
 * `postgres.replication-lag`: seconds of replay lag on a standby.
 *
 * A server that is not in recovery fails with a non-retryable ActionError `not-a-standby` rather
 * than returning `lagSeconds: null` (as the schema's x-result wording still allows): the question
 * has no answer there, the failure names the cause instead of a vaguer assert failure retried
 * in vain, and a step without an `assert` cannot "pass" against a URL that points at the primary
 * or at an already promoted server. To ask whether a server is a standby, use postgres.query with
 * `select pg_is_in_recovery()`. `lagSeconds` is still null on a standby that is behind but has
 * not replayed a commit since it started (its age is unknown); `lt` is false for null.
 *
 * Caveat: with the primary unreachable, "caught up" means caught up with what was received; the
 * standby cannot know what the primary committed afterwards (`streaming` tells whether it is connected).
 */
export const postgresReplicationLagAction: ActionDefinition<PostgresReplicationLagParams, PostgresReplicationLagResult> = {
  id: 'postgres.replication-lag',

  async run(params, ctx) {
    return withPgClient({ url: params.url }, ctx, async (session) => {
      const { rows } = await session.query<LagRow>(lagSql);
      const row = rows[0];
      if (!row.in_recovery) {
        throw new ActionError(`${session.target.display} is not a standby (pg_is_in_recovery() is false): it has no replication lag to measure`, {
          retryable: false,
          code: 'not-a-standby',
        });
      }
      return {
        lagSeconds: row.lag_seconds,
        inRecovery: true,
        receiveLsn: row.receive_lsn,
        replayLsn: row.replay_lsn,
        lastReplayAt: row.last_replay_at,
        streaming: row.streaming,
      };
    });
  },

  plan(params, ctx) {
    const where = describeTarget({ url: params.url });
    return {
      summary: ctx.secrets.mask(`measure the replay lag of the standby ${where}`),
      calls: [{ target: `postgres:${where}`, operation: 'query', args: { sql: lagSql.trim() } }],
    };
  },
};
