import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActionContext } from '../../../executor/actions/action.js';
import { postgresPromoteAction as promote } from '../../../executor/actions/postgres-promote.js';
import { postgresQueryAction as query } from '../../../executor/actions/postgres-query.js';
import { postgresReplicationLagAction as lag } from '../../../executor/actions/postgres-replication-lag.js';
import { ActionError } from '../../../executor/core/errors.js';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { clusterTimeoutMs, fakeContext, noPostgres, passwordOf, skipReason } from './context.js';

async function failure(promise: Promise<unknown>): Promise<ActionError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ActionError);
  return error as ActionError;
}

/**
 * The steps of runbooks/failover/postgres-streaming-failover.yaml, in order, against a real
 * primary and streaming standby: lag check, fence the primary, promote, write on the new primary.
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

  it('reports 0 s of lag on a caught-up standby, and keeps reporting 0 while the primary is idle', async () => {
    await vi.waitFor(async () => expect((await lag.run({ url: standby }, ctx)).lagSeconds).toBe(0), { timeout: 10_000, interval: 100 });
    const { rows } = await query.run({ url: standby, sql: 'select note from orders' }, ctx);
    expect(rows).toEqual([{ note: 'before failover' }]);
    // An idle primary commits nothing: now() - pg_last_xact_replay_timestamp() keeps growing, 0 must not.
    await new Promise((r) => setTimeout(r, 1_200));
    const result = await lag.run({ url: standby }, ctx);
    expect(result).toMatchObject({ lagSeconds: 0, inRecovery: true, streaming: true });
    expect(result.receiveLsn).toBe(result.replayLsn);
  });

  it('fences the old primary: after ALTER SYSTEM + reload, a write fails with 25006, not retryable', async () => {
    await query.run({ url: primary, sql: 'alter system set default_transaction_read_only = on' }, ctx);
    const reload = await query.run({ url: primary, sql: 'select pg_reload_conf() as reloaded' }, ctx);
    expect(reload.rows).toEqual([{ reloaded: true }]);
    const error = await failure(query.run({ url: primary, sql: "insert into orders (note) values ('split brain')" }, ctx));
    expect(error).toMatchObject({ retryable: false, code: '25006' });
    expect(error.message).toMatch(/read-only transaction/);
    expect(error.message).not.toContain(passwordOf(primary));
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
    expect(error).toMatchObject({ retryable: false, code: 'not-a-standby' });
  });

  it('accepts writes on the new primary (the runbook’s write-read check)', async () => {
    const result = await query.run({
      url: standby, sql: 'insert into orders (note) values ($1) returning id, note', params: ['after failover'],
    }, ctx);
    // Not necessarily 2: sequences are WAL-logged 32 values ahead, so a promoted standby skips some.
    expect(result).toEqual({ rows: [{ id: expect.any(Number), note: 'after failover' }], rowCount: 1 });
    const back = await query.run({ url: standby, sql: 'select note from orders where id = $1', params: [result.rows[0].id] }, ctx);
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
    expect(error).toMatchObject({ retryable: true, code: 'ECONNREFUSED' });
  });

  it('stop() stops everything and removes the directory', async () => {
    await cluster.stop();
    expect(existsSync(cluster.dir)).toBe(false);
    const error = await failure(query.run({ url: standby, sql: 'select 1' }, ctx));
    expect(error.retryable).toBe(true);
  });
});
