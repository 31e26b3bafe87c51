import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgBinDir, startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { serverOwner, stopServerSync } from '../../../executor/pg/cluster-process.js';
import { stepEndsOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';
import { runApproved, sql, until } from '../../support/pg-library-run.js';
import { startCaptureServer, type CaptureServer } from '../../support/capture-server.js';
import { clusterTimeoutMs, noPostgres, passwordOf, skipReason } from './context.js';

/**
 * The library's postgres-streaming-failover then postgres-failback, run for real through the
 * built CLI against a throwaway PostgreSQL 15 primary + streaming standby on 127.0.0.1: row A, the
 * primary crashes, failover, row B on the promoted standby, failback (pg_rewind, catch-up,
 * switch-back, standby rebuilt), row C. A writer keeps inserting during the failback: the largest
 * gap between two acknowledged writes is the switch-back's write outage (RTO); acknowledged rows
 * missing at the end are the data lost (RPO).
 */
const owner = serverOwner();
const runMs = 180_000;
let cluster: PgCluster | undefined;
let library: { root: string; remove: () => void } | undefined;
let hook: CaptureServer | undefined;

beforeAll(async () => {
  if (noPostgres) return;
  library = libraryRoot();
  hook = await startCaptureServer();
  // pg_rewind needs wal_log_hints = on (or data checksums) on the server it rewinds (PostgreSQL 15 docs, pg_rewind).
  cluster = await startPostgres({ standby: true, timeoutMs: clusterTimeoutMs, settings: ['wal_log_hints = on'] });
  await sql(cluster.primaryUrl, 'create table failback_rows (name text primary key, target text)');
}, clusterTimeoutMs + 10_000);

afterAll(async () => {
  // The runbook starts and stops servers itself: stop whatever runs in either data directory, then the rest.
  if (cluster)
    for (const node of ['primary', 'standby']) stopServerSync(join(pgBinDir, 'pg_ctl'), join(cluster.dir, node), owner);
  await cluster?.stop();
  await hook?.close();
  library?.remove();
}, 60_000);

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'PostgreSQL 15 failover then failback with pg_rewind', () => {
  it(
    'makes the old primary primary again with rows A and B, the other node its streaming standby, no write lost',
    async () => {
      const c = cluster!;
      const primary = c.primaryUrl;
      const standby = c.standbyUrl!;
      const env = { PRIMARY_DATABASE_URL: primary, STANDBY_DATABASE_URL: standby };
      await sql(primary, "insert into failback_rows values ('A', 'primary')");
      await until(async () => (await sql(standby, "select 1 from failback_rows where name = 'A'")).length === 1);

      await c.stopPrimary();
      const failover = await runLibrary('postgres-streaming-failover', {}, env, ['approve-failover']);
      expect(stepEndsOf(library!.root, failover.stdout)['promote-standby'].status).toBe('succeeded');
      await sql(standby, "insert into failback_rows values ('B', 'standby')");

      const inputs = {
        primary_data_dir: join(c.dir, 'primary'),
        standby_data_dir: join(c.dir, 'standby'),
        primary_port: String(c.primaryPort),
        standby_port: String(c.standbyPort),
        notify_webhook: hook!.url,
        ...(owner ? { os_user: owner.name } : {}),
      };
      const writer = startWriter([standby, primary]);
      const r = await runLibrary('postgres-failback', inputs, env, ['approve-rewind', 'approve-switch-back']).finally(
        () => writer.stop(),
      );
      // Every write acknowledged, the last one included, before the rows are read back.
      const acked = await writer.done;
      const ends = stepEndsOf(library!.root, r.stdout);
      expect(ends['rewind-old-primary'].outputs?.rewound).toBe('yes');
      expect(ends['promote-old-primary'].status).toBe('succeeded');
      expect(ends['wait-old-primary-replayed'].outputs).toMatchObject({ rpoSeconds: 0, rpoSource: 'primary' });
      expect(ends['old-primary-role'].status).toBe('skipped');
      expect(ends['rewind-dr'].status).toBe('succeeded');

      // The old primary is primary again and holds A, B and every write acknowledged meanwhile.
      expect((await sql(primary, 'select pg_is_in_recovery() as r'))[0].r).toBe(false);
      const names = new Set((await sql(primary, 'select name from failback_rows')).map((row) => String(row.name)));
      expect(names.has('A') && names.has('B')).toBe(true);
      expect(acked.some((w) => w.target === standby) && acked.some((w) => w.target === primary)).toBe(true);
      const lost = acked.filter((w) => !names.has(w.name));
      expect(lost).toEqual([]);

      // The other node is its streaming standby, and row C written now reaches it.
      expect((await sql(standby, 'select pg_is_in_recovery() as r'))[0].r).toBe(true);
      const senders = await sql(primary, "select application_name from pg_stat_replication where state = 'streaming'");
      expect(senders.map((s) => s.application_name)).toContain('failback_dr');
      await sql(primary, "insert into failback_rows values ('C', 'primary')");
      await until(async () => (await sql(standby, "select 1 from failback_rows where name = 'C'")).length === 1);

      expect(r.stdout + r.stderr).not.toContain(passwordOf(primary));
      // 003:2677 "Communicate status to stakeholders": the failback is announced, then its end.
      // Each delivery carries the rendered template (failover-webhook, a JSON document) as its text.
      const events = hook!.bodies.map(
        (b) => JSON.parse((JSON.parse(b) as { text: string }).text) as { event: string; status: string },
      );
      expect(events.filter((e) => e.event === 'postgres-failback').map((e) => e.status)).toEqual([
        'started',
        'completed',
      ]);
      const rtoMs = largestGap(acked.map((w) => w.at));
      const rpoMs = lost.length === 0 ? 0 : Math.max(...lost.map((w) => w.at)) - Math.min(...lost.map((w) => w.at));
      console.log(`E2E postgres-failback: RTO ${rtoMs} ms, RPO ${rpoMs} ms (${acked.length} writes acknowledged)`);
    },
    runMs * 2 + 60_000,
  );
});

interface Ack {
  readonly name: string;
  readonly target: string;
  readonly at: number;
}

/**
 * Inserts a row every few ms into the first of `targets` that takes it (the application following
 * the primary), until stop(); `done` resolves with the writes acknowledged, each with its time.
 */
function startWriter(targets: string[]): { stop: () => void; done: Promise<Ack[]> } {
  let running = true;
  const acked: Ack[] = [];
  const loop = async () => {
    for (let n = 0; running; n++) {
      for (const target of targets) {
        const name = `w${n}`;
        try {
          await sql(target, 'insert into failback_rows values ($1, $2)', [name, target], 2_000);
          acked.push({ name, target, at: Date.now() });
          break;
        } catch {
          // Read-only, fenced, in recovery or down: the next target, then the next round.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return acked;
  };
  return { stop: () => (running = false), done: loop() };
}

function largestGap(times: number[]): number {
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return gap;
}

/** `runbook run NAME` with its gates approved; a failure shows the end of the servers' logs. */
async function runLibrary(name: string, inputs: Record<string, string>, env: Record<string, string>, gates: string[]) {
  const r = await runApproved({ root: library!.root, name, inputs, env, gates, timeoutMs: runMs });
  expect(r.status, r.stdout + r.stderr + serverLogs()).toBe(0);
  return r;
}

/** The end of the logs of the servers the runbook started, for a failure message. */
function serverLogs(): string {
  return ['primary', 'standby']
    .map((node) => join(cluster!.dir, node, 'log', 'failback.log'))
    .filter((path) => existsSync(path))
    .map((path) => `\n--- ${path}\n${readFileSync(path, 'utf8').split('\n').slice(-200).join('\n')}`)
    .join('');
}

/**
 * The switch-back stopped between the fence and the promotion (no primary at all): the `finally`
 * steps must give writes back to the DR server, since the old primary was not promoted. The
 * fault is injected through `pg_bin`: a copy of the PostgreSQL programs whose pg_controldata
 * reports the stopped DR server as not shut down cleanly, so stop-dr fails after the fence.
 */
describe.skipIf(noPostgres)(noPostgres ? skipReason : 'postgres-failback stopped after the fence', () => {
  let pair: PgCluster | undefined;
  let bin = '';

  beforeAll(async () => {
    pair = await startPostgres({ standby: true, timeoutMs: clusterTimeoutMs, settings: ['wal_log_hints = on'] });
    bin = mkdtempSync(join(tmpdir(), 'runbook-pgbin-'));
    // The server account runs pg_ctl and pg_rewind from here: it must be able to enter it.
    chmodSync(bin, 0o755);
    for (const tool of readdirSync(pgBinDir)) symlinkSync(join(pgBinDir, tool), join(bin, tool));
    rmSync(join(bin, 'pg_controldata'));
    writeFileSync(
      join(bin, 'pg_controldata'),
      `#!/bin/sh\ncase "$1" in */standby) "${pgBinDir}/pg_controldata" "$@" | sed 's/^Database cluster state: .*/Database cluster state: in production/' ;;\n*) exec "${pgBinDir}/pg_controldata" "$@" ;; esac\n`,
      { mode: 0o755 },
    );
  }, clusterTimeoutMs + 10_000);

  afterAll(async () => {
    if (pair)
      for (const node of ['primary', 'standby']) stopServerSync(join(pgBinDir, 'pg_ctl'), join(pair.dir, node), owner);
    await pair?.stop();
    if (bin) rmSync(bin, { recursive: true, force: true });
  }, 60_000);

  it(
    'restarts and unfences the DR server, which takes writes again, and leaves the old primary its standby',
    async () => {
      const p = pair!;
      await p.stopPrimary();
      await sql(p.standbyUrl!, 'select pg_promote()');
      await sql(p.standbyUrl!, 'create table after_failover (n int)');
      const r = await runApproved({
        root: library!.root,
        name: 'postgres-failback',
        inputs: {
          primary_data_dir: join(p.dir, 'primary'),
          standby_data_dir: join(p.dir, 'standby'),
          primary_port: String(p.primaryPort),
          standby_port: String(p.standbyPort),
          pg_bin: bin,
          ...(owner ? { os_user: owner.name } : {}),
        },
        env: { PRIMARY_DATABASE_URL: p.primaryUrl, STANDBY_DATABASE_URL: p.standbyUrl! },
        gates: ['approve-rewind', 'approve-switch-back'],
        timeoutMs: runMs,
      });
      expect(r.status).not.toBe(0);
      const ends = stepEndsOf(library!.root, r.stdout);
      expect(ends['fence-dr'].status).toBe('succeeded');
      expect(ends['stop-dr'].status, r.stdout + r.stderr).toBe('failed');
      expect(ends['promote-old-primary']).toBeUndefined();
      expect(ends['old-primary-role'].outputs?.in_recovery).toBe('true');
      for (const step of ['restart-dr', 'unfence-dr', 'reload-dr-unfenced'])
        expect(ends[step].status).toBe('succeeded');
      // The DR server is the primary again and takes writes; the old primary is still its standby.
      await until(
        async () => (await sql(p.standbyUrl!, 'insert into after_failover values (1) returning n')).length === 1,
      );
      expect((await sql(p.primaryUrl, 'select pg_is_in_recovery() as r'))[0].r).toBe(true);
    },
    runMs + 30_000,
  );
});
