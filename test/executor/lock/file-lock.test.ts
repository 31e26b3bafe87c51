import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunRefused } from '../../../executor/core/errors.js';
import { acquireLock, lockPath, type LockHolder } from '../../../executor/lock/file-lock.js';

let dir: string;
beforeEach(() => (dir = join(mkdtempSync(join(tmpdir(), 'runbook-lock-')), 'locks')));
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const holder = (runId: string, pid = process.pid, host = hostname()): LockHolder => ({
  runId,
  initiator: `${runId}-initiator`,
  pid,
  host,
  startedAt: '2025-03-01T10:00:00.000Z',
});

describe('acquireLock', () => {
  it('creates the lock file with the holder, refuses a second run naming the holder, and frees it on release', async () => {
    const lock = await acquireLock('database-recovery/prod', { dir, holder: holder('run-a') });
    expect(lock.takenOver).toBeUndefined();
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toEqual(holder('run-a'));

    const refused = await acquireLock('database-recovery/prod', { dir, holder: holder('run-b') }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(RunRefused);
    expect((refused as RunRefused).message).toContain('run-a');
    expect((refused as RunRefused).message).toContain('run-a-initiator');
    expect((refused as RunRefused).message).toContain('2025-03-01T10:00:00.000Z');

    await lock.release();
    await lock.release(); // idempotent
    expect(existsSync(lock.path)).toBe(false);
    const next = await acquireLock('database-recovery/prod', { dir, holder: holder('run-b') });
    await next.release();
  });

  it('lets exactly one of many concurrent acquirers win', async () => {
    const results = await Promise.allSettled(
      [...Array(20).keys()].map((i) => acquireLock('k', { dir, holder: holder(`run-${i}`) })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(
      results
        .filter((r) => r.status === 'rejected')
        .every((r) => (r as PromiseRejectedResult).reason instanceof RunRefused),
    ).toBe(true);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
  });

  it('takes over a stale lock whose pid is dead on this host, recording the takeover', async () => {
    const dead = holder('run-dead', 4_000_000);
    const first = await acquireLock('k', { dir, holder: dead, isAlive: () => true });
    const lock = await acquireLock('k', { dir, holder: holder('run-new'), isAlive: (pid) => pid !== 4_000_000 });
    expect(lock.takenOver).toEqual(dead);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).runId).toBe('run-new');
    await first.release(); // the dead run's handle must not remove the new holder's lock
    expect(existsSync(lock.path)).toBe(true);
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('takes over with the real liveness check: a lock file left by a pid that does not exist', async () => {
    await acquireLock('other', { dir, holder: holder('run-setup') }); // creates the directory
    const stale = holder('run-crashed', 2_147_483_000);
    writeFileSync(lockPath(dir, 'k2'), JSON.stringify(stale));
    const lock = await acquireLock('k2', { dir, holder: holder('run-new') });
    expect(lock.takenOver).toEqual(stale);
    await lock.release();
  });

  it('does not take over a lock from another host, even if the pid is dead here', async () => {
    await acquireLock('k', { dir, holder: holder('run-remote', 4_000_000, 'other-host') });
    const refused = await acquireLock('k', { dir, holder: holder('run-new'), isAlive: () => false }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(RunRefused);
    expect((refused as RunRefused).message).toContain('other-host');
  });

  it('lets only one of two concurrent takeovers of the same stale lock win', async () => {
    await acquireLock('k', { dir, holder: holder('run-dead', 4_000_000), isAlive: () => true });
    const isAlive = (pid: number) => pid !== 4_000_000;
    const results = await Promise.allSettled([
      acquireLock('k', { dir, holder: holder('run-x'), isAlive }),
      acquireLock('k', { dir, holder: holder('run-y'), isAlive }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});
