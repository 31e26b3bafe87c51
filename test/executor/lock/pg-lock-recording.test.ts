import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunRefused } from '../../../executor/core/errors.js';
import { acquirePgLock, advisoryLockId, CREATE_LOCKS } from '../../../executor/lock/pg-lock.js';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { noPostgres } from '../pg/context.js';

let cluster: PgCluster | undefined;

beforeAll(async () => {
  if (!noPostgres) cluster = await startPostgres();
}, 120_000);
afterAll(async () => cluster?.stop(), 60_000);

/**
 * Two runs started at once: the winner records itself in runbook_locks just after taking the
 * lock, and the loser may look in between. It waits for the row, so it names the holder's run,
 * initiator and host (the cross-runner lock test through the CLI rarely hits this window).
 */
describe.skipIf(noPostgres)('a run refused while the holder is still recording itself', () => {
  it('waits for the holder row and names run, initiator and host', { timeout: 60_000 }, async () => {
    const url = cluster!.primaryUrl;
    const key = 'recording-race';
    const holder = new pg.Client({ connectionString: url, application_name: 'runbook run-early by @early' });
    const monitor = new pg.Client({ connectionString: url });
    await Promise.all([holder.connect(), monitor.connect()]);
    try {
      await holder.query(CREATE_LOCKS);
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockId(key).toString()]);
      let settled = false;
      const refused = acquirePgLock(url, key, {
        holder: { runId: 'run-late', initiator: '@late', pid: 1, host: 'h2', startedAt: new Date().toISOString() },
      })
        .catch((e: unknown) => e)
        .finally(() => (settled = true));
      // The refused run has looked for the holder once (its last query read pg_locks) before the row exists.
      for (let seen = false; !seen && !settled; ) {
        const { rowCount } = await monitor.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'runbook run-late by @late' AND query LIKE '%FROM pg_locks%'`,
        );
        seen = rowCount === 1;
      }
      await holder.query(
        `INSERT INTO runbook_locks (key, lock_id, run_id, initiator, pid, host, started_at, backend_pid)
         VALUES ($1, $2, 'run-early', '@early', 42, 'runner-one', now(), pg_backend_pid())`,
        [key, advisoryLockId(key).toString()],
      );
      const e = await refused;
      expect(e).toBeInstanceOf(RunRefused);
      for (const part of ['run run-early', 'initiated by @early', 'on runner-one'])
        expect((e as RunRefused).message).toContain(part);
    } finally {
      await Promise.all([holder.end(), monitor.end()]);
    }
  });
});
