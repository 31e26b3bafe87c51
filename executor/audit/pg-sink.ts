import type pg from 'pg';
import { newPgClient } from '../pg/client.js';
import { groupCommit } from './group-commit.js';
import { ensureAnchorTable } from './pg-anchors.js';
import type { AuditRecord, AuditSink } from './record.js';

/**
 * The PostgreSQL audit sink: table `runbook_audit`, append-only. A statement trigger refuses
 * UPDATE, DELETE and TRUNCATE (statement level, so even an UPDATE matching no row is refused
 * and TRUNCATE, which fires no row triggers, is caught). The trigger stops mistakes and the
 * executor's own role; against the table owner (who can disable triggers) grant the
 * executor's role only INSERT and SELECT and let another role own the table.
 */

const DDL_LOCK = "hashtext('runbook_audit ddl')";

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS runbook_audit (
  run_id    text        NOT NULL,
  seq       bigint      NOT NULL,
  ts        timestamptz NOT NULL,
  type      text        NOT NULL,
  step_id   text,
  record    jsonb       NOT NULL,
  hash      text        NOT NULL,
  prev_hash text        NOT NULL,
  PRIMARY KEY (run_id, seq)
)`;

const CREATE_TRIGGER = `
CREATE OR REPLACE FUNCTION runbook_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'runbook_audit is append-only: % refused', TG_OP USING ERRCODE = '42501';
END $$;
CREATE TRIGGER runbook_audit_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON runbook_audit
  FOR EACH STATEMENT EXECUTE FUNCTION runbook_audit_append_only();`;

/**
 * Every database-backed run start asks which runs are parked (executor/lock/parked-runs.ts): a
 * partial index holds only the run:parked rows, so that question reads a few index entries, not
 * the whole journal. The planner uses a partial index when the query's WHERE implies the index's
 * predicate (https://www.postgresql.org/docs/15/indexes-partial.html), here the same `type = 'run:parked'`.
 */
export const PARKED_INDEX = 'runbook_audit_parked';
const CREATE_PARKED_INDEX = `CREATE INDEX IF NOT EXISTS ${PARKED_INDEX} ON runbook_audit (run_id, seq) WHERE type = 'run:parked'`;

/** Adds the parked-runs index; a database set up before it existed gets it from the next db-setup. */
export async function ensureParkedIndex(client: pg.ClientBase): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_class WHERE oid = to_regclass($1)', [PARKED_INDEX]);
  if (rowCount) return false;
  await client.query(CREATE_PARKED_INDEX);
  return true;
}

/**
 * Creates the table and its trigger when missing; only `runbook audit db-setup` calls it (a run
 * never does DDL: its role should not be able to). Serialised by an advisory lock because two
 * setups started together would otherwise race on CREATE TABLE IF NOT EXISTS. With
 * `inTransaction`, the caller's transaction (holding that lock) is used.
 */
export async function ensureAuditTable(client: pg.ClientBase, o: { inTransaction?: boolean } = {}): Promise<void> {
  const create = async () => {
    await client.query(CREATE_TABLE);
    const { rowCount } = await client.query(
      `SELECT 1 FROM pg_trigger WHERE tgrelid = 'runbook_audit'::regclass AND tgname = 'runbook_audit_append_only'`,
    );
    if (!rowCount) await client.query(CREATE_TRIGGER);
    await ensureParkedIndex(client);
    await ensureAnchorTable(client);
  };
  if (o.inTransaction) return create();
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${DDL_LOCK})`);
    await create();
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export interface PgSinkOptions {
  /** Connection string of the audit database. */
  readonly url: string;
}

/** A PostgreSQL sink; `transactions` counts committed batches (one per group commit). */
export interface PgSink extends AuditSink {
  readonly transactions: number;
  /** Waits for queued batches, then closes the connection. */
  close(): Promise<void>;
}

/**
 * Inserts records in one transaction per batch (group commit) on a dedicated connection. When
 * a batch fails (connection lost, possibly after COMMIT) it is retried once on a new
 * connection; ON CONFLICT DO NOTHING plus a hash comparison makes that retry safe: a row that
 * is already there must be the same record, or another writer owns this run.
 */
export function createPgSink(options: PgSinkOptions): PgSink {
  const connection = new AuditConnection(options.url);
  let transactions = 0;
  const insert = async (records: AuditRecord[]): Promise<void> => {
    await insertBatch(await connection.get(), records);
    transactions++;
  };
  const committer = groupCommit<AuditRecord>((records) => insertRetryingOnce(insert, connection, records));

  return {
    name: 'postgresql runbook_audit',
    get transactions() {
      return transactions;
    },
    write: (records) => committer.push(records),
    async close() {
      await committer.idle();
      // A connection that never opened (server down) has nothing to close; failing here would
      // skip the caller's cleanup (its lock).
      await connection.end();
    },
  };
}

/** The sink's one dedicated connection, opened on first use and replaced after a failure. */
class AuditConnection {
  private client: Promise<pg.Client> | undefined;

  constructor(private readonly url: string) {}

  get(): Promise<pg.Client> {
    this.client ??= connectAuditClient(this.url);
    return this.client;
  }

  /** Forgets the connection and ends it; never throws (it may never have opened). */
  async end(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    await old?.then((c) => c.end()).catch(() => undefined);
  }
}

async function connectAuditClient(url: string): Promise<pg.Client> {
  // Bounded waits: an unreachable server must fail the batch (retried by db-journal-sink.ts), not hang it.
  const c = await newPgClient({
    connectionString: url,
    application_name: 'runbook audit',
    connectionTimeoutMillis: 10_000,
    query_timeout: 30_000,
  });
  // An idle connection dropping must not crash the process: the next query on it fails
  // and the batch is retried on a new connection.
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Runs `insert`; on failure, once more on a new connection (safe: see checkExisting). */
async function insertRetryingOnce(
  insert: (records: AuditRecord[]) => Promise<void>,
  connection: AuditConnection,
  records: AuditRecord[],
): Promise<void> {
  try {
    await insert(records);
  } catch (first) {
    await connection.end();
    try {
      await insert(records);
    } catch (second) {
      // The cause is the first failure on purpose: the retry's message is in the text, and the
      // first error (often the dropped connection) is what explains both.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(`PostgreSQL audit insert failed twice: ${(second as Error).message}`, { cause: first });
    }
  }
}

/** One transaction: inserts the batch, checks rows that were already there, commits. */
async function insertBatch(c: pg.Client, records: AuditRecord[]): Promise<void> {
  await c.query('BEGIN');
  try {
    const inserted = await c.query<{ seq: string }>(
      `INSERT INTO runbook_audit (run_id, seq, ts, type, step_id, record, hash, prev_hash)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])
         ON CONFLICT (run_id, seq) DO NOTHING RETURNING seq`,
      insertColumns(records),
    );
    if (inserted.rowCount !== records.length)
      await checkExisting(
        c,
        records,
        inserted.rows.map((r) => Number(r.seq)),
      );
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The INSERT's parameters: one array per column, for unnest. */
function insertColumns(records: AuditRecord[]): unknown[][] {
  return [
    records.map((r) => r.runId),
    records.map((r) => r.seq),
    records.map((r) => r.ts),
    records.map((r) => r.type),
    records.map((r) => r.stepId ?? null),
    records.map(recordColumn),
    records.map((r) => r.hash),
    records.map((r) => r.prevHash),
  ];
}

async function checkExisting(c: pg.Client, records: AuditRecord[], insertedSeqs: number[]): Promise<void> {
  const done = new Set(insertedSeqs);
  const missing = records.filter((r) => !done.has(r.seq));
  const { rows } = await c.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM runbook_audit WHERE run_id = $1 AND seq = ANY($2::bigint[])',
    [records[0].runId, missing.map((r) => r.seq)],
  );
  const stored = new Map(rows.map((r) => [Number(r.seq), r.hash]));
  for (const r of missing) {
    if (stored.get(r.seq) !== r.hash) {
      throw new Error(
        `runbook_audit already holds a different record ${r.seq} for run ${r.runId}: another process is writing this run`,
      );
    }
  }
}

/** One stored row: the columns and the record they index. */
export interface AuditRow {
  readonly runId: string;
  readonly seq: number;
  readonly hash: string;
  readonly prevHash: string;
  readonly record: AuditRecord;
}

/**
 * The `record` column's JSON. jsonb cannot hold U+0000, which a script may well print into an
 * output; such a record is stored as its JSON text inside `{"$json": …}` (where the NUL is an
 * escaped backslash sequence), so it is kept byte for byte and still hashes the same when read.
 */
function recordColumn(r: AuditRecord): string {
  const text = JSON.stringify(r);
  return text.includes('\\u0000') ? JSON.stringify({ $json: text }) : text;
}

export function fromRecordColumn(value: unknown): AuditRecord {
  const wrapped = value as { $json?: unknown };
  return typeof wrapped?.$json === 'string' ? (JSON.parse(wrapped.$json) as AuditRecord) : (value as AuditRecord);
}

/** Reads a run's rows in seq order. */
export async function readAuditRows(url: string, runId: string): Promise<AuditRow[]> {
  const c = await newPgClient({ connectionString: url, application_name: 'runbook audit verify' });
  await c.connect();
  try {
    const { rows } = await c.query<{
      run_id: string;
      seq: string;
      hash: string;
      prev_hash: string;
      record: AuditRecord;
    }>('SELECT run_id, seq, hash, prev_hash, record FROM runbook_audit WHERE run_id = $1 ORDER BY seq', [runId]);
    return rows.map((r) => ({
      runId: r.run_id,
      seq: Number(r.seq),
      hash: r.hash,
      prevHash: r.prev_hash,
      record: fromRecordColumn(r.record),
    }));
  } finally {
    await c.end();
  }
}
