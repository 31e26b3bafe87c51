import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunRefused } from '../../../executor/core/errors.js';
import { acquirePgLock, advisoryLockId } from '../../../executor/lock/pg-lock.js';
import { startPostgres } from '../../../executor/pg/cluster.js';
import type { LockHolder } from '../../../executor/lock/file-lock.js';

let cluster: Awaited<ReturnType<typeof startPostgres>>;
let url: string;

beforeAll(async () => {
  cluster = await startPostgres();
  url = cluster.primaryUrl;
}, 120_000);
afterAll(async () => cluster?.stop(), 60_000); // pg_ctl stop: seconds on a loaded machine

const holder = (runId: string): LockHolder => ({
  runId,
  initiator: `${runId}-by`,
  pid: 4242,
  host: 'ci-runner-1',
  startedAt: '2025-03-01T10:00:00.000Z',
});

describe('acquirePgLock', () => {
  it('refuses a second session naming the holder from runbook_locks, and frees on release', async () => {
    const first = await acquirePgLock(url, 'database-recovery-prod', { holder: holder('run-a') });
    const refused = await acquirePgLock(url, 'database-recovery-prod', { holder: holder('run-b') }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(RunRefused);
    const message = (refused as RunRefused).message;
    for (const part of ['run-a', 'run-a-by', 'ci-runner-1', '2025-03-01T10:00:00.000Z'])
      expect(message).toContain(part);

    await first.release();
    const second = await acquirePgLock(url, 'database-recovery-prod', { holder: holder('run-b') });
    expect(second.lost).toBe(false);
    await second.release();
  });

  it('does not exclude other keys', async () => {
    const a = await acquirePgLock(url, 'key-a');
    const b = await acquirePgLock(url, 'key-b');
    await Promise.all([a.release(), b.release()]);
  });

  it('falls back to the holding session when it recorded no holder row', async () => {
    const key = 'raw-holder';
    const raw = new pg.Client({ connectionString: url, application_name: 'someone by hand' });
    await raw.connect();
    await raw.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockId(key).toString()]);
    const refused = await acquirePgLock(url, key).catch((e: unknown) => e);
    expect((refused as RunRefused).message).toContain('someone by hand');
    await raw.end(); // the server releases a session lock when the session ends…
    // …which its backend does as it exits, not necessarily before our socket sees the close.
    const lock = await vi.waitFor(() => acquirePgLock(url, key), { timeout: 30_000, interval: 50 });
    await lock.release();
  });

  it('maps keys to stable signed 64-bit ids', () => {
    const id = advisoryLockId('x');
    expect(id).toBe(advisoryLockId('x'));
    expect(id >= -(2n ** 63n) && id < 2n ** 63n).toBe(true);
    expect(advisoryLockId('y')).not.toBe(id);
  });
});
