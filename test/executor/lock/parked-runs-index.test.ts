import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAuditRoles, setupAuditDb } from '../../../executor/audit/db-setup.js';
import { PARKED_INDEX } from '../../../executor/audit/pg-sink.js';
import { findParkedRuns, parkedRunsSql } from '../../../executor/lock/parked-runs.js';
import { startPostgres } from '../../../executor/pg/cluster.js';
import { noPostgres, skipReason } from '../pg/context.js';

/**
 * Every database-backed run start asks which runs are parked: db-setup gives that question a
 * partial index, a database set up before the index existed keeps answering (and gets the index
 * from the next db-setup), and the planner really uses it once the journal is large.
 */
let cluster: Awaited<ReturnType<typeof startPostgres>>;
let url: string;

beforeAll(async () => {
  if (noPostgres) return;
  cluster = await startPostgres();
  url = cluster.primaryUrl;
}, 120_000);
afterAll(async () => cluster?.stop(), 60_000);

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** Rows as a run writes them (hashes are not looked at here). */
async function insert(runId: string, seq: number, type: string, data: Record<string, unknown>): Promise<void> {
  const record = { runId, runbook: 'rb', seq, ts: `2026-01-01T00:00:0${seq}.000Z`, type, data };
  await sql(
    `INSERT INTO runbook_audit (run_id, seq, ts, type, step_id, record, hash, prev_hash) VALUES ($1, $2, $3, $4, NULL, $5, 'h', 'h')`,
    [runId, seq, record.ts, type, JSON.stringify(record)],
  );
}

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'the parked-runs index', () => {
  it('a database set up before the index answers right, and the next db-setup adds the index', async () => {
    await setupAuditDb(url, defaultAuditRoles);
    await sql(`DROP INDEX ${PARKED_INDEX}`); // as a database set up before parked gates
    await insert('parked-1', 1, 'run:start', { initiator: '@alice' });
    await insert('parked-1', 2, 'run:parked', { stepId: 'declare', lockKey: 'k' });
    await insert('resumed-1', 1, 'run:start', { initiator: '@bob' });
    await insert('resumed-1', 2, 'run:parked', { stepId: 'declare', lockKey: 'k' });
    await insert('resumed-1', 3, 'run:resume', { by: '@bob' });
    const before = await findParkedRuns(url, { lockKey: 'k' });
    expect(before.map((p) => [p.runId, p.stepId, p.initiator])).toEqual([['parked-1', 'declare', '@alice']]);

    const steps = await setupAuditDb(url, defaultAuditRoles);
    expect(steps).toContainEqual({ done: true, what: expect.stringContaining(`created index ${PARKED_INDEX}`) });
    expect((await setupAuditDb(url, defaultAuditRoles)).find((s) => s.what.includes(PARKED_INDEX))?.done).toBe(false);
    expect(await findParkedRuns(url, { lockKey: 'k' })).toEqual(before);
  });

  it('the run-start question reads the index, not the whole journal', async () => {
    // A journal of 2,000 finished runs of 25 records each, and the parked rows of the first test.
    await sql(
      `INSERT INTO runbook_audit (run_id, seq, ts, type, step_id, record, hash, prev_hash)
       SELECT 'old-' || r, s, now(), CASE WHEN s = 25 THEN 'run:end' ELSE 'step:end' END, NULL,
              jsonb_build_object('data', jsonb_build_object('stepId', 's' || s)), 'h', 'h'
         FROM generate_series(1, 2000) r, generate_series(1, 25) s`,
    );
    await sql('ANALYZE runbook_audit');
    for (const by of ['lockKey', 'issue'] as const) {
      const plan = await sql<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${parkedRunsSql(by)}`, ['k']);
      expect(JSON.stringify(plan[0]['QUERY PLAN']), by).toContain(`"Index Name":"${PARKED_INDEX}"`);
    }
    expect((await findParkedRuns(url, { lockKey: 'k' })).map((p) => p.runId)).toEqual(['parked-1']);
  });
});
