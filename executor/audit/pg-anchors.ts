import type pg from 'pg';
import { newPgClient } from '../pg/client.js';
import { anchorEvents, headOf } from './anchor-marker.js';
import type { PublishedAnchor } from './check-anchors.js';
import type { AuditRecord, AuditSink } from './record.js';

/**
 * Chain heads in the audit database: table `runbook_audit_anchor`, one row per head a run
 * published (at each gate and at its end), append-only like `runbook_audit`. At run time the
 * executor only INSERTs, so the writer role limited to INSERT and SELECT suffices; the table is
 * created with `runbook_audit` (ensureAuditTable, or `runbook audit db-setup`). A log rewritten
 * later, in the file or in the table by its owner, no longer matches the heads stored when the
 * run reached them.
 */

const CREATE_ANCHOR_TABLE = `
CREATE TABLE IF NOT EXISTS runbook_audit_anchor (
  run_id       text        NOT NULL,
  seq          bigint      NOT NULL,
  hash         text        NOT NULL,
  event        text        NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, seq)
)`;

// The same refusal function as runbook_audit's trigger (created with it), on its own trigger.
const CREATE_ANCHOR_TRIGGER = `
CREATE TRIGGER runbook_audit_anchor_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON runbook_audit_anchor
  FOR EACH STATEMENT EXECUTE FUNCTION runbook_audit_append_only()`;

/**
 * Creates the anchor table and its trigger when missing. Call inside ensureAuditTable's
 * transaction (after the append-only function exists), under its DDL lock.
 */
export async function ensureAnchorTable(client: pg.ClientBase): Promise<void> {
  await client.query(CREATE_ANCHOR_TABLE);
  const { rowCount } = await client.query(
    `SELECT 1 FROM pg_trigger WHERE tgrelid = 'runbook_audit_anchor'::regclass AND tgname = 'runbook_audit_anchor_append_only'`,
  );
  if (!rowCount) await client.query(CREATE_ANCHOR_TRIGGER);
}

/**
 * An audit sink inserting the head at each gate and at run end. It goes after the PostgreSQL
 * record sink (which creates the tables at the first record). A head that cannot be stored is
 * logged, not fatal: the records are the journal; a missing head makes `verify --anchors-from
 * db` fail, which says so. ON CONFLICT DO NOTHING: a retried insert of the same head is no
 * change, and a different one for the same seq shows up in verify.
 */
export function createPgAnchorSink(o: { url: string; log?: (message: string) => void }): AuditSink {
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  let client: Promise<pg.Client> | undefined;
  let chain: Promise<void> = Promise.resolve();

  const connect = async () => {
    const c = await newPgClient({ connectionString: o.url, application_name: 'runbook audit anchor' });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  const insert = async (records: AuditRecord[]) => {
    client ??= connect();
    const c = await client;
    for (const r of records) {
      const h = headOf(r);
      await c.query(
        'INSERT INTO runbook_audit_anchor (run_id, seq, hash, event) VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, seq) DO NOTHING',
        [r.runId, h.seq, h.hash, r.type],
      );
    }
  };

  return {
    name: 'postgresql runbook_audit_anchor',
    write(records) {
      const heads = records.filter((r) => anchorEvents.has(r.type));
      if (heads.length === 0) return Promise.resolve();
      chain = chain
        .then(() => insert(heads))
        .catch((e: Error) => {
          const old = client;
          client = undefined;
          void old?.then((c) => c.end()).catch(() => undefined);
          log(`audit database: could not store the chain head (the run goes on): ${e.message}`);
        });
      return chain;
    },
    async close() {
      await chain;
      const c = client;
      client = undefined;
      if (c) await (await c).end().catch(() => undefined);
    },
  };
}

/** The heads stored for a run, in seq order (none when the table does not exist yet). */
export async function readDbAnchors(url: string, runId: string): Promise<PublishedAnchor[]> {
  const c = await newPgClient({ connectionString: url, application_name: 'runbook audit verify' });
  await c.connect();
  try {
    const rows = await c
      .query<{
        seq: string;
        hash: string;
        event: string;
      }>('SELECT seq, hash, event FROM runbook_audit_anchor WHERE run_id = $1 ORDER BY seq', [runId])
      .then(
        (r) => r.rows,
        (e: { code?: string }) => {
          // 42P01 undefined_table: a database no run of this version has written to holds no heads.
          if (e.code === '42P01') return [];
          throw e;
        },
      );
    return rows.map((r) => ({
      seq: Number(r.seq),
      hash: r.hash,
      from: `the audit database (runbook_audit_anchor, after ${r.event})`,
    }));
  } finally {
    await c.end();
  }
}
