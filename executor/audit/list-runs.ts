import { newPgClient } from '../pg/client.js';

/**
 * What a run is, seen from the audit database (the journal of record) and its lock:
 * - `parked`: its last record is `run:parked` (waiting for an approval, no runner);
 * - `running`: not ended nor parked, and a live database session holds its advisory lock;
 * - `stale`: not ended, not parked, and nothing holds it: its runner was lost (or killed). A run
 *   whose last record is `run:end` `interrupted` or `failed` is stale too when nothing holds it:
 *   `runbook resume` continues it;
 * - `finished`: its last record is any other `run:end` (succeeded, rolled back, refused…).
 */
export type RunListState = 'running' | 'parked' | 'stale' | 'finished';

export interface RunListEntry {
  readonly runId: string;
  readonly runbook: string;
  readonly state: RunListState;
  /** The last `run:end`'s status, when the last record is one. */
  readonly status?: string;
  /** Time of the run's first record (ISO 8601). */
  readonly started: string;
  /** The initiator of the run (its `run:start`), else the executor's identity. */
  readonly by: string;
  /** The step of the run's latest step record, if any (the one in progress when it is running). */
  readonly currentStep?: string;
  /** Time of the run's last record (ISO 8601). */
  readonly lastRecord: string;
}

/**
 * One query: each run's last record (DISTINCT ON over the primary key, read backwards), its first
 * record (a primary-key lookup), its latest step record (a bounded index scan per run) and whether
 * a live session holds its lock: a `runbook_locks` row naming the run whose session holds a
 * granted advisory lock (pg_locks; a row left by a dead session is ignored), or a session whose
 * application_name names the run (pg-lock.ts sets it; the fallback when runbook_locks is absent).
 * pg_locks splits a bigint advisory key into classid (high 32 bits) and objid (low 32 bits), with
 * objsubid 1 (PostgreSQL docs, "pg_locks").
 */
const LIST_RUNS = (hasLocks: boolean) => `
WITH last AS (
  SELECT DISTINCT ON (run_id) run_id, type, ts, record->'data'->>'status' AS status
    FROM runbook_audit ORDER BY run_id, seq DESC
)
SELECT last.run_id, last.type, last.ts AS last_ts, last.status,
       f.ts AS started, COALESCE(f.record->>'runbook', '?') AS runbook,
       COALESCE(f.record->'data'->>'initiator', f.record->>'actor', '?') AS by,
       step.step_id AS current_step,
       (${hasLocks ? 'lk.held OR ' : ''}EXISTS (
          SELECT 1 FROM pg_stat_activity a JOIN pg_locks k ON k.pid = a.pid AND k.locktype = 'advisory' AND k.granted
           WHERE a.application_name LIKE 'runbook ' || last.run_id || ' by %')) AS held
  FROM last
  JOIN runbook_audit f ON f.run_id = last.run_id AND f.seq = 1
  LEFT JOIN LATERAL (
    SELECT s.step_id FROM runbook_audit s
     WHERE s.run_id = last.run_id AND s.step_id IS NOT NULL ORDER BY s.seq DESC LIMIT 1) step ON true
  ${
    hasLocks
      ? `LEFT JOIN LATERAL (
    SELECT bool_or(k.pid IS NOT NULL) AS held FROM runbook_locks l
      LEFT JOIN pg_locks k ON k.pid = l.backend_pid AND k.locktype = 'advisory' AND k.granted AND k.objsubid = 1
       AND k.classid = ((l.lock_id >> 32) & 4294967295)::oid AND k.objid = (l.lock_id & 4294967295)::oid
     WHERE l.run_id = last.run_id) lk ON true`
      : ''
  }
 ORDER BY f.ts DESC, last.run_id`;

interface Row {
  run_id: string;
  type: string;
  last_ts: Date;
  status: string | null;
  started: Date;
  runbook: string;
  by: string;
  current_step: string | null;
  held: boolean | null;
}

/** The runs in the audit database, newest first (one query; see LIST_RUNS). */
export async function listRuns(url: string): Promise<RunListEntry[]> {
  const c = await newPgClient({ connectionString: url, application_name: 'runbook runs' });
  await c.connect();
  try {
    const { rows: t } = await c.query<{ locks: boolean }>(
      "SELECT to_regclass('runbook_locks') IS NOT NULL AND has_table_privilege(to_regclass('runbook_locks'), 'SELECT') AS locks",
    );
    const { rows } = await c.query<Row>(LIST_RUNS(t[0].locks === true));
    return rows.map(toEntry);
  } finally {
    await c.end();
  }
}

function toEntry(r: Row): RunListEntry {
  return {
    runId: r.run_id,
    runbook: r.runbook,
    state: stateOf(r.type, r.status, r.held === true),
    ...(r.type === 'run:end' && r.status ? { status: r.status } : {}),
    started: r.started.toISOString(),
    by: r.by,
    ...(r.current_step ? { currentStep: r.current_step } : {}),
    lastRecord: r.last_ts.toISOString(),
  };
}

/** The state from the last record's type and status and whether a live session holds the run's lock. */
export function stateOf(lastType: string, status: string | null, held: boolean): RunListState {
  if (lastType === 'run:end' && status !== 'interrupted' && status !== 'failed') return 'finished';
  // Parked first: the job that parked it may still be exiting, holding the lock a moment longer.
  if (lastType === 'run:parked') return 'parked';
  return held ? 'running' : 'stale';
}
