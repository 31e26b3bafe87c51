import type pg from 'pg';
import { newPgClient } from '../pg/client.js';
import { createHash } from 'node:crypto';
import { RunRefused } from '../core/errors.js';
import type { LockHolder } from './file-lock.js';

/**
 * A run's concurrency lock as a PostgreSQL session advisory lock: it excludes runs on any
 * machine that share the database, and the server drops it when the holding connection dies,
 * so a crashed run never leaves a stale lock. The holder is recorded in `runbook_locks` (and
 * in the connection's application_name) so a refused run can say who holds the lock.
 */

/** A held advisory lock; keep it until the run ends, then release(). */
export interface PgLockHandle {
  readonly key: string;
  /** The bigint passed to pg_try_advisory_lock, as text. */
  readonly lockId: string;
  /** True once the holding connection failed: the lock is no longer held. */
  readonly lost: boolean;
  release(): Promise<void>;
}

export interface PgLockOptions {
  readonly holder?: LockHolder;
  /** Called if the holding connection fails (the server has released the lock). */
  readonly onLost?: (error: Error) => void;
}

/** The 64-bit lock id of a key: the first 8 bytes of its SHA-256, as a signed bigint. */
export function advisoryLockId(key: string): bigint {
  return createHash('sha256').update(key).digest().readBigInt64BE(0);
}

/** The lock-holder registry (`runbook audit db-setup` creates it too, owned by the owner role). */
export const CREATE_LOCKS = `
CREATE TABLE IF NOT EXISTS runbook_locks (
  key         text PRIMARY KEY,
  lock_id     bigint NOT NULL,
  run_id      text,
  initiator   text,
  pid         integer,
  host        text,
  started_at  timestamptz,
  backend_pid integer NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now()
)`;

/** Names the holder in runbook_locks, so a refused run can say who holds the lock. */
async function recordHolder(
  client: pg.Client,
  key: string,
  lockId: bigint,
  holder: PgLockOptions['holder'],
): Promise<void> {
  await client.query(
    `INSERT INTO runbook_locks (key, lock_id, run_id, initiator, pid, host, started_at, backend_pid)
     VALUES ($1, $2, $3, $4, $5, $6, $7, pg_backend_pid())
     ON CONFLICT (key) DO UPDATE SET lock_id = EXCLUDED.lock_id, run_id = EXCLUDED.run_id, initiator = EXCLUDED.initiator,
       pid = EXCLUDED.pid, host = EXCLUDED.host, started_at = EXCLUDED.started_at, backend_pid = EXCLUDED.backend_pid, acquired_at = now()`,
    [
      key,
      lockId.toString(),
      holder?.runId ?? null,
      holder?.initiator ?? null,
      holder?.pid ?? null,
      holder?.host ?? null,
      holder?.startedAt ?? null,
    ],
  );
}

/**
 * Takes the advisory lock for `key` on a dedicated connection, or throws RunRefused naming the
 * holder. The connection stays open for as long as the lock is held.
 */
export async function acquirePgLock(url: string, key: string, options: PgLockOptions = {}): Promise<PgLockHandle> {
  const { holder } = options;
  const lockId = advisoryLockId(key);
  // application_name is capped at 63 bytes by the server; it is the fallback holder label.
  const appName = (holder ? `runbook ${holder.runId} by ${holder.initiator}` : 'runbook lock').slice(0, 63);
  // Bounded: taking the lock again after an outage must not hang the run's end on a dead network.
  const client = await newPgClient({
    connectionString: url,
    application_name: appName,
    connectionTimeoutMillis: 10_000,
    query_timeout: 30_000,
  });
  let lost = false;
  client.on('error', (e) => {
    // A dying connection can report more than one error: the lock is lost once.
    if (lost) return;
    lost = true;
    options.onLost?.(e);
  });
  await client.connect();
  try {
    const hasTable = await ensureLocksTable(client);
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
      lockId.toString(),
    ]);
    if (!rows[0].ok) throw await refusal(client, key, lockId, hasTable);
    if (hasTable) await recordHolder(client, key, lockId, holder);
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }

  let released = false;
  return {
    key,
    lockId: lockId.toString(),
    get lost() {
      return lost;
    },
    async release() {
      if (released) return;
      released = true;
      try {
        if (!lost) {
          await client
            .query('DELETE FROM runbook_locks WHERE key = $1 AND backend_pid = pg_backend_pid()', [key])
            .catch(() => undefined);
          await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockId.toString()]);
        }
      } finally {
        // Closing the session releases the lock even if the unlock above failed.
        await client.end().catch(() => undefined);
      }
    },
  };
}

/**
 * Whether runbook_locks can be used (else application_name names the holder). It is made by
 * `runbook audit db-setup`; a role that may create tables in the schema (a development setup)
 * creates it, but a writer role is never made to try DDL.
 */
async function ensureLocksTable(client: pg.Client): Promise<boolean> {
  try {
    const { rows } = await client.query<{ exists: boolean; usable: boolean; can_create: boolean }>(
      `SELECT to_regclass('runbook_locks') IS NOT NULL AS exists,
              COALESCE(has_table_privilege(to_regclass('runbook_locks'), 'SELECT')
                AND has_table_privilege(to_regclass('runbook_locks'), 'INSERT')
                AND has_table_privilege(to_regclass('runbook_locks'), 'UPDATE')
                AND has_table_privilege(to_regclass('runbook_locks'), 'DELETE'), false) AS usable,
              has_schema_privilege(current_schema(), 'CREATE') AS can_create`,
    );
    if (rows[0].exists) return rows[0].usable;
    if (!rows[0].can_create) return false;
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('runbook_locks ddl'))");
    await client.query(CREATE_LOCKS);
    await client.query('COMMIT');
    return true;
  } catch {
    await client.query('ROLLBACK').catch(() => undefined);
    return false;
  }
}

interface HolderRow {
  backend_pid: number;
  application_name: string | null;
  backend_start: Date | null;
  client_addr: string | null;
  recorded: boolean;
  run_id: string | null;
  initiator: string | null;
  pid: number | null;
  host: string | null;
  started_at: Date | null;
}

/**
 * Finds the session holding the advisory lock (pg_locks splits a bigint key into classid =
 * high 32 bits, objid = low 32 bits, objsubid = 1) and the holder it recorded. The row is only
 * trusted when its backend_pid is the holding session, so a leftover row never misleads.
 */
async function holderRow(client: pg.Client, key: string, lockId: bigint, hasTable: boolean) {
  const unsigned = BigInt.asUintN(64, lockId);
  const hi = (unsigned >> 32n).toString();
  const lo = (unsigned & 0xffffffffn).toString();
  const { rows } = await client.query<HolderRow>(
    `SELECT k.pid AS backend_pid, a.application_name, a.backend_start, a.client_addr::text AS client_addr,
            ${hasTable ? 'l.backend_pid IS NOT NULL AS recorded, l.run_id, l.initiator, l.pid, l.host, l.started_at' : 'false AS recorded, NULL AS run_id, NULL AS initiator, NULL AS pid, NULL AS host, NULL AS started_at'}
       FROM pg_locks k
       LEFT JOIN pg_stat_activity a ON a.pid = k.pid
       ${hasTable ? 'LEFT JOIN runbook_locks l ON l.key = $3 AND l.backend_pid = k.pid' : ''}
      WHERE k.locktype = 'advisory' AND k.granted AND k.classid = $1::bigint::oid AND k.objid = $2::bigint::oid AND k.objsubid = 1`,
    hasTable ? [hi, lo, key] : [hi, lo],
  );
  return rows[0] as HolderRow | undefined;
}

/**
 * The refusal naming the holder. A run records itself in runbook_locks just after it took the
 * lock: a run refused in between (two started at once) waits a moment (at most 1 s) for that row,
 * so it can name the holder's run, initiator and host rather than only its session.
 */
async function refusal(client: pg.Client, key: string, lockId: bigint, hasTable: boolean): Promise<RunRefused> {
  let h = await holderRow(client, key, lockId, hasTable);
  const recording = () => hasTable && h && !h.recorded && /^runbook \S+ by /.test(h.application_name ?? '');
  for (let i = 0; i < 25 && recording(); i++) {
    await new Promise((r) => setTimeout(r, 40));
    h = await holderRow(client, key, lockId, hasTable);
  }
  const hint = 'wait for that run to finish; the lock is released when its database session ends';
  if (!h) return new RunRefused(`lock "${key}" is held by another session (it could not be identified)`, hint);
  if (h.run_id) {
    return new RunRefused(
      `lock "${key}" is held by run ${h.run_id} (initiated by ${h.initiator}, pid ${h.pid} on ${h.host}, since ${h.started_at?.toISOString()})`,
      hint,
    );
  }
  const since = h.backend_start ? `, since ${h.backend_start.toISOString()}` : '';
  return new RunRefused(
    `lock "${key}" is held by database session ${h.backend_pid} (${h.application_name || 'no application_name'}${h.client_addr ? ` from ${h.client_addr}` : ''}${since})`,
    hint,
  );
}
