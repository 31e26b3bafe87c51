import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActionContext } from '../../../executor/actions/action.js';
import { postgresQueryAction as query } from '../../../executor/actions/postgres-query.js';
import { ActionError } from '../../../executor/core/errors.js';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { clusterTimeoutMs, fakeContext, noPostgres, passwordOf, skipReason } from './context.js';

/** Runs the action and returns the ActionError it must throw. */
async function failure(promise: Promise<unknown>): Promise<ActionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActionError);
  return error as ActionError;
}

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'postgres.query against real PostgreSQL', () => {
  let cluster: PgCluster;
  let ctx: ActionContext;
  let password: string;

  beforeAll(async () => {
    cluster = await startPostgres({ standby: true });
    password = passwordOf(cluster.primaryUrl);
    ctx = fakeContext([cluster.primaryUrl, cluster.standbyUrl!]).ctx;
    // CREATE DATABASE cannot run in a transaction block: this also shows the extended protocol is fine with it.
    await query.run({ url: cluster.primaryUrl, sql: 'create database scratch' }, ctx);
    await query.run(
      { url: cluster.primaryUrl, database: 'scratch', sql: 'create table notes (id bigserial primary key, body text)' },
      ctx,
    );
  }, clusterTimeoutMs);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000); // pg_ctl stop: seconds on a loaded machine

  it('runs a statement with parameters', async () => {
    const result = await query.run(
      { url: cluster.primaryUrl, sql: 'select $1::int + $2::int as sum, $3::text as who', params: [2, '3', 'dba'] },
      ctx,
    );
    expect(result).toEqual({ rows: [{ sum: 5, who: 'dba' }], rowCount: 1 });
  });

  it('returns int8 and numeric as numbers when exact, dates as PostgreSQL text', async () => {
    const { rows } = await query.run(
      {
        url: cluster.primaryUrl,
        sql: "select count(*) as n, 300.5::numeric as lag, 12345678901234567890::numeric as big, '2024-01-02 03:04:05+00'::timestamptz as at",
      },
      ctx,
    );
    expect(rows[0]).toEqual({ n: 1, lag: 300.5, big: '12345678901234567890', at: '2024-01-02 03:04:05+00' });
  });

  it('overrides the database, keeping the credentials', async () => {
    const insert = await query.run(
      {
        url: cluster.primaryUrl,
        database: 'scratch',
        sql: 'insert into notes (body) values ($1) returning id, current_database() as db',
        params: ['hello'],
      },
      ctx,
    );
    expect(insert).toEqual({ rows: [{ id: 1, db: 'scratch' }], rowCount: 1 });
  });

  it('overrides the host (and port), keeping the credentials', async () => {
    const elsewhere = cluster.primaryUrl.replace(`127.0.0.1:${cluster.primaryPort}`, 'db.example.invalid:1');
    const result = await query.run(
      { url: elsewhere, host: `127.0.0.1:${cluster.primaryPort}`, sql: 'select 1 as one' },
      ctx,
    );
    expect(result.rows).toEqual([{ one: 1 }]);
  });

  it('refuses a second statement (one statement per step)', async () => {
    const error = await failure(query.run({ url: cluster.primaryUrl, sql: 'select 1; select 2' }, ctx));
    expect(error).toMatchObject({ retryable: false, code: 'sql-error', providerCode: '42601' });
  });

  it('maps syntax errors and undefined objects to non-retryable errors', async () => {
    const syntax = await failure(query.run({ url: cluster.primaryUrl, sql: 'selec 1' }, ctx));
    expect(syntax).toMatchObject({ retryable: false, code: 'sql-error', providerCode: '42601' });
    const missing = await failure(query.run({ url: cluster.primaryUrl, sql: 'select * from nope' }, ctx));
    expect(missing).toMatchObject({ retryable: false, code: 'sql-error', providerCode: '42P01' });
    // Naming the target (without its password) is the behaviour under test.
    expect(missing.message).toContain(`127.0.0.1:${cluster.primaryPort}/postgres`);
  });

  it('does not retry an authentication failure and never shows a password', async () => {
    const wrong = 'wrong-Passw0rd-xyz';
    const url = cluster.primaryUrl.replace(`:${encodeURIComponent(password)}@`, `:${wrong}@`);
    // A context that does not know the wrong password as a secret: the action scrubs it itself.
    const error = await failure(query.run({ url, sql: 'select 1' }, fakeContext([]).ctx));
    expect(error).toMatchObject({ retryable: false, code: 'auth-failed', providerCode: '28P01' });
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(password);
  });

  it('never echoes a URL it cannot parse', async () => {
    const error = await failure(
      query.run({ url: 'postgres://u:s3cret-pw@host:notaport/db', sql: 'select 1' }, fakeContext([]).ctx),
    );
    expect(error).toMatchObject({ retryable: false, code: 'bad-params' });
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('retries a refused connection', async () => {
    // Port 0 is never listening; a port found free a moment ago may be taken by then.
    const closed = cluster.primaryUrl.replace(`:${cluster.primaryPort}/`, ':0/');
    const error = await failure(query.run({ url: closed, sql: 'select 1' }, ctx));
    expect(error).toMatchObject({ retryable: true, code: 'network', providerCode: 'ECONNREFUSED' });
    expect(error.message).not.toContain(password);
  });

  it('maps a write on a standby (read-only transaction, 25006) to a non-retryable error', async () => {
    const error = await failure(query.run({ url: cluster.standbyUrl!, sql: 'create table t (x int)' }, ctx));
    expect(error).toMatchObject({ retryable: false, code: 'sql-error', providerCode: '25006' });
  });

  it('cancels a running statement on the server when the step is aborted', async () => {
    const { ctx: aborting, controller } = fakeContext([cluster.primaryUrl]);
    const reason = new Error('step timed out');
    const active = async () =>
      (
        await query.run(
          {
            url: cluster.primaryUrl,
            sql: "select count(*) as n from pg_stat_activity where query = 'select pg_sleep(300)' and state = 'active'",
          },
          ctx,
        )
      ).rows[0].n;
    const running = query.run({ url: cluster.primaryUrl, sql: 'select pg_sleep(300)' }, aborting);
    running.catch(() => undefined); // asserted below
    // Abort mid-statement, as a step timeout would: once the server is running it.
    await vi.waitUntil(async () => (await active()) === 1, { timeout: 30_000, interval: 50 });
    const aborted = Date.now();
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(Date.now() - aborted).toBeLessThan(15_000); // not the 300 s the statement would take
    // The server stopped the query too (a mere disconnect would leave it sleeping for 300 s).
    await vi.waitFor(async () => expect(await active()).toBe(0), { timeout: 20_000, interval: 100 });
  }, 90_000);

  it('sets statement_timeout from the step timeout in the graph', async () => {
    const timed = fakeContext([cluster.primaryUrl], 'slow-step').ctx;
    const graph = { nodes: [{ id: 'slow-step', timeoutMs: 300 }] };
    const withGraph = { ...timed, services: { ...timed.services, graph } } as unknown as ActionContext;
    const error = await failure(query.run({ url: cluster.primaryUrl, sql: 'select pg_sleep(5)' }, withGraph));
    expect(error).toMatchObject({ retryable: true, code: 'sql-error', providerCode: '57014' });
  });

  it('plans host, port and database without the password', () => {
    const plan = query.plan(
      { url: cluster.primaryUrl, database: 'scratch', sql: 'select $1', params: ['x'] },
      { ...ctx, graph: ctx.services.graph },
    );
    const text = JSON.stringify(plan);
    expect(plan.summary).toContain(`postgres@127.0.0.1:${cluster.primaryPort}/scratch`);
    expect(text).not.toContain(password);
  });
});
