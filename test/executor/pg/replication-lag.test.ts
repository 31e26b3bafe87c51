import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActionContext } from '../../../executor/actions/action.js';
import { postgresQueryAction as query } from '../../../executor/actions/postgres-query.js';
import {
  postgresReplicationLagAction as lag,
  type PostgresReplicationLagResult,
} from '../../../executor/actions/postgres-replication-lag.js';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { clusterTimeoutMs, fakeContext, noPostgres, skipReason } from './context.js';

/**
 * WAL that holds no commit (a checkpoint record) loses no data, but only a primary that tracks
 * commit timestamps can tell: without them the lag in seconds must assume the worst.
 */
describe.skipIf(noPostgres)(noPostgres ? skipReason : 'replication lag when the missing WAL holds no commit', () => {
  let tracked: PgCluster | undefined;
  let untracked: PgCluster | undefined;
  let ctx: ActionContext;

  beforeAll(async () => {
    const [a, b] = await Promise.allSettled([
      startPostgres({ standby: true, settings: ['track_commit_timestamp = on'] }),
      startPostgres({ standby: true }),
    ]);
    if (a.status === 'fulfilled') tracked = a.value;
    if (b.status === 'fulfilled') untracked = b.value;
    for (const r of [a, b]) if (r.status === 'rejected') throw r.reason;
    ({ ctx } = fakeContext([tracked!.primaryUrl, tracked!.standbyUrl!, untracked!.primaryUrl, untracked!.standbyUrl!]));
  }, clusterTimeoutMs);

  afterAll(async () => {
    await Promise.all([tracked?.stop(), untracked?.stop()]);
  });

  const measure = (c: PgCluster) => lag.run({ url: c.standbyUrl!, primaryUrl: c.primaryUrl }, ctx);
  const caughtUp = (c: PgCluster) =>
    vi.waitFor(async () => expect(await measure(c)).toMatchObject({ lagBytes: 0, lagSeconds: 0 }), {
      timeout: 30_000,
      interval: 100,
    });

  /** Pauses replay on the standby, runs `sql` on the primary, measures, and resumes whatever happens. */
  async function whilePaused(c: PgCluster, sql: string): Promise<PostgresReplicationLagResult> {
    await query.run({ url: c.primaryUrl, sql: 'create table if not exists t (id serial primary key)' }, ctx);
    await query.run({ url: c.primaryUrl, sql: 'insert into t default values' }, ctx);
    await caughtUp(c);
    await query.run({ url: c.standbyUrl!, sql: 'select pg_wal_replay_pause()' }, ctx);
    try {
      await vi.waitFor(
        async () =>
          expect(
            (await query.run({ url: c.standbyUrl!, sql: 'select pg_get_wal_replay_pause_state() as s' }, ctx)).rows[0]
              .s,
          ).toBe('paused'),
        { timeout: 30_000, interval: 50 },
      );
      await query.run({ url: c.primaryUrl, sql }, ctx);
      return await measure(c);
    } finally {
      await query.run({ url: c.standbyUrl!, sql: 'select pg_wal_replay_resume()' }, ctx);
      await caughtUp(c);
    }
  }

  it('with track_commit_timestamp: WAL without a commit is bytes behind but 0 s', async () => {
    const r = await whilePaused(tracked!, 'checkpoint');
    expect(r.source).toBe('primary');
    expect(r.lagBytes).toBeGreaterThan(0);
    expect(r.lagSeconds).toBe(0);
  });

  it('with track_commit_timestamp: a commit not replayed counts in seconds', async () => {
    const r = await whilePaused(tracked!, 'insert into t default values');
    expect(r.lagBytes).toBeGreaterThan(0);
    expect(r.lagSeconds).toBeGreaterThan(0);
  });

  it('without it: the same WAL counts as the age of the last replayed commit (an overstatement, never an understatement)', async () => {
    const r = await whilePaused(untracked!, 'checkpoint');
    expect(r.lagBytes).toBeGreaterThan(0);
    expect(r.lagSeconds).toBeGreaterThan(0);
  });

  it('refuses a primaryUrl of another cluster (WAL positions of two clusters do not compare)', async () => {
    const error = await lag.run({ url: tracked!.standbyUrl!, primaryUrl: untracked!.primaryUrl }, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ retryable: false, code: 'bad-params' });
  });
});
