import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../executor/pg/cluster.js';
import { createPgSink, ensureAuditTable } from '../../../executor/audit/pg-sink.js';
import { hashRecord, type AuditRecord } from '../../../executor/audit/record.js';
import { verifyAuditDb } from '../../../executor/audit/verify.js';
import { emitSampleRun, newLog } from './helpers.js';

let cluster: Awaited<ReturnType<typeof startPostgres>>;
let url: string;
let db: pg.Client;

beforeAll(async () => {
  cluster = await startPostgres();
  url = cluster.primaryUrl;
  db = new pg.Client({ connectionString: url });
  await db.connect();
  // Made by `runbook audit db-setup` in real use: the sink itself never runs DDL.
  await ensureAuditTable(db);
}, 120_000);
afterAll(async () => {
  await db?.end();
  await cluster?.stop();
}, 60_000); // pg_ctl stop: seconds on a loaded machine

const start = (id: string) => ({
  stepId: id,
  attempt: 1,
  uses: 'shell',
  idempotent: true,
  sideEffects: true,
  dryRun: false,
});

/** The sample run stored under its own run id: each test works on rows no other test touches. */
async function storedRun(runId: string): Promise<void> {
  const log = newLog([createPgSink({ url })], { runId });
  await emitSampleRun(log);
  await log.close();
}

describe('PostgreSQL audit sink', () => {
  it('inserts every record with its columns', async () => {
    const sink = createPgSink({ url });
    const log = newLog([sink]);
    await emitSampleRun(log);
    await log.close();
    const { rows } = await db.query(
      'SELECT run_id, seq, type, step_id, hash, prev_hash, ts, record FROM runbook_audit WHERE run_id = $1 ORDER BY seq',
      ['run-1'],
    );
    expect(rows).toHaveLength(13);
    expect(rows[2]).toMatchObject({ run_id: 'run-1', seq: '3', type: 'step:start', step_id: 'check' });
    expect(rows[2].ts.toISOString()).toBe(rows[2].record.ts);
    expect(rows[2].hash).toBe(hashRecord(rows[2].record as AuditRecord));
    expect(await verifyAuditDb(url, 'run-1', { requireComplete: true })).toMatchObject({
      ok: true,
      count: 13,
      complete: true,
    });
  });

  it('group-commits concurrent records: one transaction per batch, not per record', async () => {
    const sink = createPgSink({ url });
    const log = newLog([sink], { runId: 'run-batch' });
    await Promise.all([...Array(100).keys()].map((i) => log.emit('step:start', start(`s${i}`))));
    await log.close();
    const { rows } = await db.query("SELECT seq, step_id FROM runbook_audit WHERE run_id = 'run-batch' ORDER BY seq");
    expect(rows.map((r) => r.step_id)).toEqual([...Array(100).keys()].map((i) => `s${i}`));
    expect(sink.transactions).toBeLessThan(10);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await storedRun('run-guarded');
    await expect(
      db.query("UPDATE runbook_audit SET type = 'x' WHERE run_id = 'run-guarded' AND seq = 1"),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(db.query("DELETE FROM runbook_audit WHERE run_id = 'run-guarded'")).rejects.toMatchObject({
      code: '42501',
    });
    await expect(db.query('TRUNCATE runbook_audit')).rejects.toMatchObject({ code: '42501' });
    const { rows } = await db.query("SELECT count(*)::int AS n FROM runbook_audit WHERE run_id = 'run-guarded'");
    expect(rows[0].n).toBe(13);
  });

  it('re-delivering a stored record is harmless; a different record under the same seq is refused', async () => {
    await storedRun('run-redelivered');
    const { rows } = await db.query("SELECT record FROM runbook_audit WHERE run_id = 'run-redelivered' AND seq = 1");
    const stored = rows[0].record as AuditRecord;
    const sink = createPgSink({ url });
    await sink.write([stored]); // as after a COMMIT whose acknowledgement was lost
    const other = { ...stored, actor: 'mallory' };
    const second = createPgSink({ url });
    await expect(second.write([{ ...other, hash: hashRecord(other) }])).rejects.toThrow(/different record 1/);
    await sink.close();
    await second.close();
  });

  it('verifyAuditDb detects a forged row inserted directly with a wrong hash', async () => {
    await storedRun('run-forged');
    const { rows } = await db.query("SELECT record FROM runbook_audit WHERE run_id = 'run-forged' AND seq = 13");
    const last = rows[0].record as AuditRecord;
    const forged = {
      ...last,
      seq: 14,
      prevHash: last.hash,
      type: 'run:resume',
      data: { by: 'mallory', completed: [], inDoubt: [] },
      hash: 'e'.repeat(64),
    };
    await db.query(
      `INSERT INTO runbook_audit (run_id, seq, ts, type, step_id, record, hash, prev_hash) VALUES ($1, 14, $2, $3, NULL, $4, $5, $6)`,
      ['run-forged', forged.ts, forged.type, JSON.stringify(forged), forged.hash, forged.prevHash],
    );
    const v = await verifyAuditDb(url, 'run-forged');
    expect(v.ok).toBe(false);
    expect(v.firstBad).toMatchObject({ kind: 'hash-mismatch', seq: 14 });
  });

  it('verifyAuditDb detects a row whose columns disagree with its record', async () => {
    const sink = createPgSink({ url });
    const log = newLog([sink], { runId: 'run-cols' });
    await log.emit('step:start', start('a'));
    await log.close();
    const { rows } = await db.query("SELECT record FROM runbook_audit WHERE run_id = 'run-cols' AND seq = 1");
    const r = rows[0].record as AuditRecord;
    const body = { ...r, seq: 2, prevHash: r.hash };
    const rec = { ...body, hash: hashRecord(body) };
    await db.query(
      `INSERT INTO runbook_audit (run_id, seq, ts, type, step_id, record, hash, prev_hash) VALUES ('run-cols', 3, $1, $2, 'a', $3, $4, $5)`,
      [rec.ts, rec.type, JSON.stringify(rec), rec.hash, rec.prevHash],
    );
    expect((await verifyAuditDb(url, 'run-cols')).firstBad).toMatchObject({ kind: 'column-mismatch', seq: 3 });
  });
});
