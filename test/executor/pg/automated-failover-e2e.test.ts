import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { stepEndsOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';
import { runApproved, sql, until } from '../../support/pg-library-run.js';
import { clusterTimeoutMs, noPostgres, passwordOf, skipReason } from './context.js';

/**
 * The library's postgres-automated-failover, run for real through the built CLI against a
 * throwaway PostgreSQL 15 primary + streaming standby on 127.0.0.1: a healthy watch window ends
 * without touching anything; once the primary is down, the first check fails over (the nested
 * postgres-streaming-failover), and failover_log on the new primary says why.
 */
const runMs = 120_000;
let cluster: PgCluster | undefined;
let library: { root: string; remove: () => void } | undefined;

beforeAll(async () => {
  if (noPostgres) return;
  library = libraryRoot();
  cluster = await startPostgres({ standby: true, timeoutMs: clusterTimeoutMs });
  await sql(cluster.primaryUrl, 'create table orders (id int primary key)');
  await sql(cluster.primaryUrl, 'insert into orders values (1)');
}, clusterTimeoutMs + 10_000);

afterAll(async () => {
  await cluster?.stop();
  library?.remove();
}, 60_000);

describe.skipIf(noPostgres)(
  noPostgres ? skipReason : 'PostgreSQL 15 automated failover (lag > 30 s or primary lost)',
  () => {
    const env = () => ({ PRIMARY_DATABASE_URL: cluster!.primaryUrl, STANDBY_DATABASE_URL: cluster!.standbyUrl! });

    it(
      'watches a healthy pair (idle primary, lag 0) for a window and fails nothing over',
      async () => {
        const r = await runApproved({
          root: library!.root,
          name: 'postgres-automated-failover',
          // A short window, checked every second: the idle pair must never look 30 s behind.
          inputs: { check_interval: '1s', watch_for: '4s' },
          env: env(),
          gates: ['approve-failover'],
          timeoutMs: runMs,
        });
        // A healthy window is a successful run: the watch step gave up under onFailure: continue.
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const ends = stepEndsOf(library!.root, r.stdout);
        expect(ends['watch-replication'].status).toBe('failed');
        expect(ends['run-failover'].status).toBe('skipped');
        expect(ends['alert-failover-failed'].status).toBe('skipped');
        expect((await sql(cluster!.standbyUrl!, 'select pg_is_in_recovery() as r'))[0].r).toBe(true);
      },
      runMs + 30_000,
    );

    it(
      'fails over at the first check once the primary is down, and logs primary_unreachable on the new primary',
      async () => {
        await until(async () => (await sql(cluster!.standbyUrl!, 'select count(*)::int as n from orders'))[0].n === 1);
        await cluster!.stopPrimary();
        const started = Date.now();
        const r = await runApproved({
          root: library!.root,
          name: 'postgres-automated-failover',
          env: env(),
          gates: ['approve-failover'],
          timeoutMs: runMs,
        });
        const rtoMs = Date.now() - started;
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const ends = stepEndsOf(library!.root, r.stdout);
        expect(ends['watch-replication'].outputs?.primary_reachable).toBe(false);
        expect(ends['postgres-streaming-failover/promote-standby'].status).toBe('succeeded');
        expect(ends['record-failover'].outputs?.trigger_reason).toBe('primary_unreachable');
        const standby = cluster!.standbyUrl!;
        expect((await sql(standby, 'select pg_is_in_recovery() as r'))[0].r).toBe(false);
        expect(await sql(standby, 'select trigger_reason, status from failover_log')).toEqual([
          { trigger_reason: 'primary_unreachable', status: 'completed' },
        ]);
        expect((await sql(standby, 'select count(*)::int as n from orders'))[0].n).toBe(1);
        expect(r.stdout + r.stderr).not.toContain(passwordOf(standby));
        console.log(`E2E postgres-automated-failover: RTO ${rtoMs} ms, RPO 0 ms (the committed row survived)`);
      },
      runMs + 30_000,
    );
  },
);
