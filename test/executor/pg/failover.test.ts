import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActionContext } from '../../../executor/actions/action.js';
import { postgresPromoteAction as promote } from '../../../executor/actions/postgres-promote.js';
import { postgresQueryAction as query } from '../../../executor/actions/postgres-query.js';
import {
  postgresReplicationLagAction as lag,
  type PostgresReplicationLagResult as LagResult,
} from '../../../executor/actions/postgres-replication-lag.js';
import { ActionError } from '../../../executor/core/errors.js';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { clusterTimeoutMs, fakeContext, noPostgres, passwordOf, skipReason } from './context.js';

async function failure(promise: Promise<unknown>): Promise<ActionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActionError);
  return error as ActionError;
}

/**
 * The steps of runbooks/failover/postgres-streaming-failover.yaml, in order, against a real
 * primary and streaming standby: lag check (against the primary, and without it once it is down),
 * fence the primary, promote, write on the new primary.
 */
describe.skipIf(noPostgres)(noPostgres ? skipReason : 'streaming failover against real PostgreSQL', () => {
  let cluster: PgCluster;
  let ctx: ActionContext;
  let logs: string[];
  let primary: string;
  let standby: string;

  beforeAll(async () => {
    cluster = await startPostgres({ standby: true });
    primary = cluster.primaryUrl;
    standby = cluster.standbyUrl!;
    ({ ctx, logs } = fakeContext([primary, standby]));
    await query.run({ url: primary, sql: 'create table orders (id serial primary key, note text)' }, ctx);
    await query.run({ url: primary, sql: "insert into orders (note) values ('before failover')" }, ctx);
  }, clusterTimeoutMs);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('started a standby that is in recovery and streaming', () => {
    expect(cluster.standbyPort).toBeGreaterThan(0);
    expect(cluster.startupMs).toBeLessThan(clusterTimeoutMs);
  });

  /** The lag as measured against the primary, once it satisfies `check` (the standby streams asynchronously). */
  const lagFromPrimary = (check: (r: LagResult) => void) =>
    vi.waitFor(
      async () => {
        const r = await lag.run({ url: standby, primaryUrl: primary }, ctx);
        check(r);
        return r;
      },
      { timeout: 30_000, interval: 100 },
    );
  const onStandby = (sql: string) => query.run({ url: standby, sql }, ctx);

  it('reports 0 s and 0 bytes once the standby has replayed all the primary wrote, and stays at 0 while the primary is idle', async () => {
    const caughtUp = await lagFromPrimary((r) => expect(r).toMatchObject({ lagBytes: 0, lagSeconds: 0 }));
    expect(caughtUp).toMatchObject({
      source: 'primary',
      primaryReachable: true,
      primaryError: null,
      inRecovery: true,
      streaming: true,
    });
    expect(caughtUp.primaryLsn).toBe(caughtUp.replayLsn);
    // Measured against the primary, "0" means everything it committed is here: readable at once.
    const { rows } = await onStandby('select note from orders');
    expect(rows).toEqual([{ note: 'before failover' }]);
    // An idle primary commits nothing: the age of the last replayed commit keeps growing, the lag must not.
    const before = await onStandby("select now() + interval '1.2 seconds' as t");
    await vi.waitFor(
      async () =>
        expect(
          (await onStandby(`select now() > '${String(before.rows[0].t)}'::timestamptz as later`)).rows[0].later,
        ).toBe(true),
      { timeout: 30_000, interval: 200 },
    );
    await lagFromPrimary((r) => expect(r).toMatchObject({ lagBytes: 0, lagSeconds: 0 }));
  });

  it('counts commits the standby never received, which the standby alone reports as 0 s', async () => {
    const {
      rows: [{ conninfo }],
    } = await onStandby("select current_setting('primary_conninfo') as conninfo");
    // Cut the stream (primary_conninfo is reloadable since PostgreSQL 13): the standby stays in recovery, receives nothing.
    await onStandby("alter system set primary_conninfo = ''");
    await onStandby('select pg_reload_conf()');
    try {
      await vi.waitFor(async () => expect((await lag.run({ url: standby }, ctx)).streaming).toBe(false), {
        timeout: 30_000,
        interval: 100,
      });
      await query.run({ url: primary, sql: "insert into orders (note) values ('never received')" }, ctx);
      const blind = await lag.run({ url: standby }, ctx);
      expect(blind).toMatchObject({ source: 'standby', primaryReachable: null, lagBytes: null, lagSeconds: 0 });
      const measured = await lag.run({ url: standby, primaryUrl: primary }, ctx);
      expect(measured.source).toBe('primary');
      expect(measured.lagBytes).toBeGreaterThan(0);
      expect(measured.lagSeconds).toBeGreaterThan(0);
    } finally {
      await onStandby(`alter system set primary_conninfo = '${String(conninfo).replace(/'/g, "''")}'`);
      await onStandby('select pg_reload_conf()');
    }
    await lagFromPrimary((r) => expect(r).toMatchObject({ lagBytes: 0, lagSeconds: 0, streaming: true }));
  });

  it('measures a commit the standby received but has not replayed (replay paused), and 0 again after resume', async () => {
    await onStandby('select pg_wal_replay_pause()');
    try {
      await vi.waitFor(
        async () => expect((await onStandby('select pg_get_wal_replay_pause_state() as s')).rows[0].s).toBe('paused'),
        { timeout: 30_000, interval: 50 },
      );
      await query.run({ url: primary, sql: "insert into orders (note) values ('while paused')" }, ctx);
      const paused = await lagFromPrimary((r) => expect(r.lagBytes).toBeGreaterThan(0));
      expect(paused).toMatchObject({ source: 'primary', primaryReachable: true });
      expect(paused.lagSeconds).toBeGreaterThan(0);
      const { rows } = await onStandby("select count(*)::int as n from orders where note = 'while paused'");
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await onStandby('select pg_wal_replay_resume()');
    }
    await lagFromPrimary((r) => expect(r).toMatchObject({ lagBytes: 0, lagSeconds: 0 }));
    const { rows } = await onStandby("select count(*)::int as n from orders where note = 'while paused'");
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('refuses a primaryUrl that is itself in recovery', async () => {
    const error = await failure(lag.run({ url: standby, primaryUrl: standby }, ctx));
    expect(error).toMatchObject({ retryable: false, code: 'invalid-state' });
  });

  it('plans the lag check against the primary, or as a standby-only estimate, without passwords', () => {
    const planCtx = { ...ctx, graph: ctx.services.graph };
    const both = lag.plan({ url: standby, primaryUrl: primary }, planCtx);
    expect(both.calls.map((c) => c.target)).toEqual([
      `postgres:postgres@127.0.0.1:${cluster.standbyPort}/postgres`,
      `postgres:postgres@127.0.0.1:${cluster.primaryPort}/postgres`,
    ]);
    const alone = lag.plan({ url: standby }, planCtx);
    expect(alone.calls).toHaveLength(1);
    expect(alone.summary).toMatch(/estimate/);
    expect(JSON.stringify([both, alone])).not.toContain(passwordOf(primary));
  });

  it('fences the old primary: after ALTER SYSTEM + reload, a write fails with 25006, not retryable', async () => {
    await query.run({ url: primary, sql: 'alter system set default_transaction_read_only = on' }, ctx);
    const reload = await query.run({ url: primary, sql: 'select pg_reload_conf() as reloaded' }, ctx);
    expect(reload.rows).toEqual([{ reloaded: true }]);
    const error = await failure(
      query.run({ url: primary, sql: "insert into orders (note) values ('split brain')" }, ctx),
    );
    expect(error).toMatchObject({ retryable: false, code: 'sql-error', providerCode: '25006' });
    expect(error.message).not.toContain(passwordOf(primary));
  });

  it('falls back to a standby-only estimate, flagged, when the primary is down', async () => {
    await cluster.stopPrimary();
    logs.length = 0;
    const result = await lag.run({ url: standby, primaryUrl: primary }, ctx);
    expect(result).toMatchObject({
      source: 'standby',
      primaryReachable: false,
      primaryError: 'ECONNREFUSED',
      lagBytes: null,
      primaryLsn: null,
      inRecovery: true,
    });
    expect(logs.join('\n')).toMatch(/primary unreachable \(ECONNREFUSED\).*estimate/);
    expect(logs.join('\n')).not.toContain(passwordOf(primary));
  });

  it('promotes the standby and waits until it has left recovery', async () => {
    const result = await promote.run({ url: standby }, ctx);
    expect(result).toEqual({ promoted: true, inRecovery: false, alreadyPrimary: false });
    expect(logs.join('\n')).not.toContain(passwordOf(standby));
  });

  it('treats a second promotion as done (idempotent)', async () => {
    const result = await promote.run({ url: standby, wait: 'true', timeout: '10s' }, ctx);
    expect(result).toEqual({ promoted: true, inRecovery: false, alreadyPrimary: true });
  });

  it('refuses to measure lag on a server that is no longer a standby', async () => {
    const error = await failure(lag.run({ url: standby }, ctx));
    expect(error).toMatchObject({ retryable: false, code: 'invalid-state' });
  });

  it('accepts writes on the new primary (the runbook’s write-read check)', async () => {
    const result = await query.run(
      {
        url: standby,
        sql: 'insert into orders (note) values ($1) returning id, note',
        params: ['after failover'],
      },
      ctx,
    );
    // Not necessarily 2: sequences are WAL-logged 32 values ahead, so a promoted standby skips some.
    expect(result).toEqual({ rows: [{ id: expect.any(Number), note: 'after failover' }], rowCount: 1 });
    const back = await query.run(
      { url: standby, sql: 'select note from orders where id = $1', params: [result.rows[0].id] },
      ctx,
    );
    expect(back.rows).toEqual([{ note: 'after failover' }]);
  });

  it('plans the promotion without the password', () => {
    const plan = promote.plan({ url: standby, timeout: '2m' }, { ...ctx, graph: ctx.services.graph });
    expect(plan.summary).toContain(`127.0.0.1:${cluster.standbyPort}/postgres`);
    expect(plan.calls[0]).toMatchObject({ operation: 'pg_promote', args: { wait: true, wait_seconds: 120 } });
    expect(JSON.stringify(plan)).not.toContain(passwordOf(standby));
  });

  it('makes a stopped primary a retryable connection failure', async () => {
    await cluster.stopPrimary();
    const error = await failure(query.run({ url: primary, sql: 'select 1' }, ctx));
    expect(error).toMatchObject({ retryable: true, code: 'network', providerCode: 'ECONNREFUSED' });
  });

  it('stop() stops everything and removes the directory', async () => {
    await cluster.stop();
    expect(existsSync(cluster.dir)).toBe(false);
    const error = await failure(query.run({ url: standby, sql: 'select 1' }, ctx));
    expect(error.retryable).toBe(true);
  });
});
