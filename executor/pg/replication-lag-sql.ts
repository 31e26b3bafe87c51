/**
 * The two queries of postgres.replication-lag. The standby is read first and the primary second,
 * with the standby's positions as parameters, so every difference is taken against a primary
 * position at least as new as the standby's: the result can overstate the lag by the time between
 * the two reads, never understate it.
 */

/**
 * Standby side. Without the primary, caught up (everything received is replayed) counts as 0: on
 * an idle primary nothing commits, so `now() - pg_last_xact_replay_timestamp()` grows forever and
 * alone would block every failover. Otherwise the lag is the age of the last replayed commit,
 * PostgreSQL's usual approximation. It cannot see what the primary committed and never sent.
 */
export const standbyLagSql = `
select pg_is_in_recovery() as in_recovery,
  (pg_control_system()).system_identifier::text as system_id,
  pg_last_wal_receive_lsn()::text as receive_lsn,
  pg_last_wal_replay_lsn()::text as replay_lsn,
  pg_last_xact_replay_timestamp()::text as last_replay_at,
  exists (select 1 from pg_stat_wal_receiver where status = 'streaming') as streaming,
  (select conninfo from pg_stat_wal_receiver limit 1) as receiver_conninfo,
  case
    when not pg_is_in_recovery() then null
    when pg_last_wal_receive_lsn() is not null and pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() then 0
    when pg_last_xact_replay_timestamp() is null then null
    else greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp()))::float8
  end as lag_seconds`;

/** A row of standbyLagSql. */
export interface StandbyLagRow {
  in_recovery: boolean;
  system_id: string | null;
  receive_lsn: string | null;
  replay_lsn: string | null;
  last_replay_at: string | null;
  streaming: boolean;
  receiver_conninfo: string | null;
  lag_seconds: number | null;
}

/** SizeOfXLogLongPHD on 64-bit builds (a short page header is 24 bytes). */
const longPageHeaderBytes = 40;

/**
 * Primary side; $1 the standby's replay LSN, $2 its last replayed commit time, $3 the
 * application_name its WAL receiver connects with.
 *
 * - `lag_bytes`: the primary's WAL position minus the standby's replay LSN. The position is
 *   `pg_current_wal_insert_lsn()`: records inserted but not yet written count, since that is how commits under
 *   `synchronous_commit = off` are acknowledged (the WAL writer writes them within a few
 *   `wal_writer_delay`s). They are data the client was told is committed, so they count. The
 *   insert position has one quirk: with the written WAL ending on a page boundary, it points past
 *   the next page's header (24 bytes; 40 on a segment's first page, e.g. after pg_switch_wal()),
 *   which the standby's replay position never includes; an idle, caught-up standby would look
 *   behind forever. So when only a header separates the two, `pg_current_wal_lsn()` is used.
 * - `lag_seconds`: 0 when no byte is missing, or when the primary tracks commit timestamps and its
 *   newest commit is already replayed (the missing WAL holds no commit, e.g. a checkpoint record).
 *   Otherwise the age, on the primary's clock, of the standby's last replayed commit: every commit
 *   not yet replayed is younger than that, so this bounds the age of the oldest one from above. It
 *   is raised to `pg_stat_replication.replay_lag` when that is larger. Null (unknown) when the
 *   standby has replayed no commit since it started: then nothing bounds the figure.
 *   (Commit timestamps are the primary's own, written into the WAL, so host clocks never mix.)
 * - `replay_lag_seconds`: the walsender's replay_lag for the standby's application_name, or for the
 *   only standby. It alone could understate: it is sampled, and stands still while replay is paused.
 */
export const primaryLagSql = `
with p as (
  select pg_is_in_recovery() as in_recovery,
    (pg_control_system()).system_identifier::text as system_id,
    case
      when pg_is_in_recovery() then null
      -- Only a page header between them: nothing unwritten.
      when pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') % current_setting('wal_block_size')::numeric = 0
        and pg_wal_lsn_diff(pg_current_wal_insert_lsn(), pg_current_wal_lsn()) <= ${longPageHeaderBytes} then pg_current_wal_lsn()
      else greatest(pg_current_wal_insert_lsn(), pg_current_wal_lsn())
    end as current_lsn,
    case when not pg_is_in_recovery() and current_setting('track_commit_timestamp')::bool
      then (pg_last_committed_xact()).timestamp end as last_commit_at,
    coalesce(
      (select max(extract(epoch from replay_lag)) from pg_stat_replication where application_name = $3::text),
      (select max(extract(epoch from replay_lag)) from pg_stat_replication having count(*) = 1)
    )::float8 as replay_lag_seconds
), d as (
  select p.*, greatest(0, pg_wal_lsn_diff(p.current_lsn, $1::pg_lsn))::float8 as lag_bytes,
    greatest(0, extract(epoch from now() - $2::timestamptz))::float8 as replayed_age
  from p
)
select in_recovery, system_id, current_lsn::text as current_lsn, lag_bytes, replay_lag_seconds,
  case
    when in_recovery then null
    when lag_bytes = 0 then 0
    when last_commit_at is not null and $2::timestamptz is not null and last_commit_at <= $2::timestamptz then 0
    when replayed_age is null then null
    else greatest(replayed_age, coalesce(replay_lag_seconds, 0))
  end::float8 as lag_seconds
from d`;

/** A row of primaryLagSql. */
export interface PrimaryLagRow {
  in_recovery: boolean;
  system_id: string | null;
  current_lsn: string | null;
  lag_bytes: number | null;
  replay_lag_seconds: number | null;
  lag_seconds: number | null;
}

/**
 * The application_name the standby's WAL receiver connects with, read from
 * pg_stat_wal_receiver.conninfo (`… application_name=standby fallback_application_name=walreceiver …`):
 * the name pg_stat_replication shows on the primary. Values with spaces are single-quoted.
 */
export function walReceiverName(conninfo: string | null): string | null {
  if (!conninfo) return null;
  for (const key of ['application_name', 'fallback_application_name']) {
    const m = new RegExp(`(?:^|\\s)${key}=('(?:[^'\\\\]|\\\\.)*'|\\S+)`).exec(conninfo);
    if (m) return m[1].startsWith("'") ? m[1].slice(1, -1).replace(/\\(.)/g, '$1') : m[1];
  }
  return null;
}
