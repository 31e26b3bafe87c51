import { copyFileSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { pgBinDir, startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { startCaptureServer, type CaptureServer } from '../../support/capture-server.js';
import { inputArgs, planHash } from '../../support/pg-archive.js';
import { sql } from '../../support/pg-library-run.js';
import { runCliAsync, runIdOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';
import { clusterTimeoutMs, noPostgres, passwordOf, skipReason } from './context.js';

/**
 * The library's `platform-postgres-nightly` BackupPlan and `postgres-dump-restore` runbook, run
 * for real through the built CLI against a throwaway PostgreSQL 15: the plan dumps the seeded
 * platform_production database (its own run, unchanged: it needs no AWS), a row is written after
 * the dump, the database is dropped (lost), and the restore runbook brings it back from the
 * plan's dump. The rows of the dump are there, the row written after it is not.
 */
const runMs = 120_000;
const db = 'platform_production';
let cluster: PgCluster | undefined;
let capture: CaptureServer | undefined;
let library: { root: string; remove: () => void } | undefined;
const backups = () => join(library!.root, 'backups');
const archive = () => join(library!.root, 'archive');
const dbUrl = () => cluster!.primaryUrl.replace(/\/postgres$/, `/${db}`);

// What platform-postgres-nightly's checks want (≥ 10 public tables, constraints, users), the
// rows whose presence the restore is judged by, and enough data (events) that the table of
// contents is a small part of the dump.
const seed = `
create table users (id serial primary key, email text not null unique);
create table orders (id serial primary key, user_id int not null references users(id), total numeric not null);
${['products', 'order_items', 'payments', 'shipments', 'addresses', 'carts', 'reviews', 'sessions'].map((t) => `create table ${t} (id serial primary key, note text);`).join('\n')}
insert into users (email) values ('a@example.com'), ('b@example.com'), ('c@example.com');
insert into orders (user_id, total) values (1, 10), (2, 20);
create table events (id serial primary key, payload text);
insert into events (payload) select md5(i::text) from generate_series(1, 20000) i;
`;

beforeAll(async () => {
  if (noPostgres) return;
  library = libraryRoot();
  mkdirSync(backups());
  // Commit timestamps of the row lost with the database: the measured RPO.
  [cluster, capture] = await Promise.all([
    startPostgres({ timeoutMs: clusterTimeoutMs, settings: ['track_commit_timestamp = on'] }),
    startCaptureServer(),
  ]);
  await sql(cluster.primaryUrl, `create database ${db}`);
  await sql(dbUrl(), seed);
}, clusterTimeoutMs + 10_000);

afterAll(async () => {
  await cluster?.stop();
  await capture?.close();
  library?.remove();
}, 60_000);

describe.skipIf(noPostgres)(
  noPostgres ? skipReason : 'pg_dump (platform-postgres-nightly) + postgres-dump-restore',
  () => {
    it(
      'restores a dropped database from the nightly dump: rows of the dump back, the row written after it lost',
      async () => {
        const plan = await runCli('platform-postgres-nightly', {
          backup_dir: backups(),
          archive_dir: archive(),
          // 001's 1 GB floor is for production; the seeded database is a few MB.
          min_backup_bytes: '1000000',
        });
        expect(plan.status, plan.stdout + plan.stderr).toBe(0);
        const dump = String(ended(plan.records, 'backup-platform-production')?.outputs?.path);
        const dumpStartedMs = Date.parse(started(plan.records, 'backup-platform-production')!.ts);

        await sql(dbUrl(), "insert into users (email) values ('after-dump@example.com')");
        const [committed] = await sql(
          dbUrl(),
          "select pg_xact_commit_timestamp(xmin) as at from users where email = 'after-dump@example.com'",
        );
        const lostCommitMs = (committed.at as Date).getTime();
        await sql(cluster!.primaryUrl, `drop database ${db} with (force)`);

        const restoreStarted = Date.now();
        const r = await runCli('postgres-dump-restore', {
          backup_dir: backups(),
          archive_dir: archive(),
          // No Kubernetes here: the writers are this test, which has stopped.
          app_deployment: '',
        });
        const rtoMs = Date.now() - restoreStarted;
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout + r.stderr + JSON.stringify(r.records)).not.toContain(passwordOf(cluster!.primaryUrl));
        const found = ended(r.records, 'find-dump')?.outputs ?? {};
        expect(found).toMatchObject({ path: dump, database: db, database_exists: '', dump_tables: '11' });
        // The dump's age (from its header) is the run's RPO for the report.
        expect(String(found.rpoSeconds)).toMatch(/^\d+$/);
        // The database was gone: nothing to confirm, nothing to set aside.
        expect(ended(r.records, 'confirm-replace')?.status).toBe('skipped');
        expect(ended(r.records, 'swap-databases')?.outputs).toMatchObject({ set_aside: '' });

        const emails = (await sql(dbUrl(), 'select email from users order by id')).map((row) => row.email);
        expect(emails).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
        expect(await sql(dbUrl(), 'select user_id, total::int from orders order by id')).toEqual([
          { user_id: 1, total: 10 },
          { user_id: 2, total: 20 },
        ]);
        expect(await databases()).toEqual([db, 'postgres']);
        const rpoMs = lostCommitMs - dumpStartedMs;
        expect(rpoMs).toBeGreaterThan(0);
        console.log(`E2E postgres-dump-restore: RTO ${rtoMs} ms, RPO ${rpoMs} ms`);
      },
      runMs * 2 + 30_000,
    );

    it(
      'replaces a database that still exists once a DBA approves, keeping the old one aside',
      async () => {
        // A wrong DELETE on the restored database: it exists, so the restore asks and sets it aside.
        await sql(dbUrl(), "delete from orders; delete from users where email <> 'a@example.com'");
        const inputs = { backup_dir: backups(), archive_dir: archive(), app_deployment: '' };
        const approvals = join(library!.root, 'approvals.yaml');
        const hash = await planHash(library!.root, 'postgres-dump-restore', inputs);
        writeFileSync(
          approvals,
          `approvals:\n  - { step: confirm-replace, approver: "@charlie-brown", planHash: ${hash} }\n`,
        );
        const r = await runCli('postgres-dump-restore', inputs, ['--approvals', approvals]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(ended(r.records, 'confirm-replace')?.status).toBe('succeeded');
        expect(ended(r.records, 'block-sessions')?.status).toBe('succeeded');
        const aside = String(ended(r.records, 'swap-databases')?.outputs?.set_aside);
        expect(aside).toMatch(new RegExp(`^${db}_pre_restore_\\d{8}_\\d{6}$`));
        expect(await databases()).toEqual([db, aside, 'postgres']);
        expect(await sql(dbUrl(), 'select count(*)::int as n from users')).toEqual([{ n: 3 }]);
        // The old database keeps what was there (to reconcile) and accepts connections again.
        const asideUrl = dbUrl().replace(new RegExp(`/${db}$`), `/${aside}`);
        expect(await sql(asideUrl, 'select count(*)::int as n from users')).toEqual([{ n: 1 }]);
        await sql(cluster!.primaryUrl, `drop database ${aside}`);
      },
      runMs * 2 + 30_000,
    );

    it(
      'fails on a damaged dump and drops the half-restored database; the dump is not touched',
      async () => {
        // The dump of the first test's plan run (this test follows it).
        const good = String(
          ended(readLastRun('platform-postgres-nightly'), 'backup-platform-production')?.outputs?.path,
        );
        // The table of contents is at the start of a custom-format archive: cut inside the data,
        // `pg_restore --list` still reads it and the restore itself fails.
        const damaged = join(library!.root, 'damaged.dump');
        copyFileSync(good, damaged);
        truncateSync(damaged, Math.floor(statSync(good).size * 0.8));
        await sql(cluster!.primaryUrl, `drop database ${db} with (force)`);

        const r = await runCli('postgres-dump-restore', { backup_file: damaged, app_deployment: '' });
        expect(r.status, r.stdout + r.stderr).toBe(4);
        expect(ended(r.records, 'find-dump')?.status).toBe('succeeded');
        expect(ended(r.records, 'restore-dump')?.status).toBe('failed');
        expect(ended(r.records, 'swap-databases')).toBeUndefined();
        expect(ended(r.records, 'drop-failed-restore')?.status).toBe('succeeded');
        expect(await databases()).toEqual(['postgres']);
        expect(statSync(good).size).toBeGreaterThan(statSync(damaged).size);
      },
      runMs + 30_000,
    );

    it(
      'refuses a dump whose table of contents cannot be read before touching anything',
      async () => {
        const good = String(
          ended(readLastRun('platform-postgres-nightly'), 'backup-platform-production')?.outputs?.path,
        );
        const cut = join(library!.root, 'cut.dump');
        copyFileSync(good, cut);
        truncateSync(cut, 1000);
        const r = await runCli('postgres-dump-restore', { backup_file: cut, app_deployment: '' });
        expect(r.status, r.stdout + r.stderr).toBe(4);
        expect(ended(r.records, 'find-dump')?.error).toContain('not a pg_dump custom-format archive');
        expect(started(r.records, 'restore-dump')).toBeUndefined();
        expect(await databases()).toEqual(['postgres']);
      },
      runMs + 30_000,
    );
  },
);

/** The journal of the last run of `name` in this file. */
function readLastRun(name: string): AuditRecord[] {
  const runs = lastRuns.get(name);
  if (!runs) throw new Error(`no run of ${name}`);
  return runs;
}
const lastRuns = new Map<string, AuditRecord[]>();

async function runCli(name: string, inputs: Record<string, string>, extra: string[] = []) {
  const r = await runCliAsync(
    ['run', name, '--root', library!.root, '--as', '@ops', ...inputArgs(inputs), ...extra],
    {
      PLATFORM_DATABASE_URL: dbUrl(),
      SLACK_WEBHOOK_URL: `${capture!.url}/slack`,
      // The server's own client tools (pg_dump and pg_restore must not be older than the server).
      PATH: `${pgBinDir}:${process.env.PATH ?? ''}`,
    },
    runMs,
  );
  const runId = runIdOf(r.stdout);
  const records = parseAuditText(
    readFileSync(join(library!.root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8'),
  ).records;
  lastRuns.set(name, records);
  return { ...r, runId, records };
}

const ended = (rs: AuditRecord[], stepId: string) =>
  rs.find((r) => r.type === 'step:end' && r.stepId === stepId)?.data as
    | { status: string; error?: string; outputs?: Record<string, unknown> }
    | undefined;
const started = (rs: AuditRecord[], stepId: string) => rs.find((r) => r.type === 'step:start' && r.stepId === stepId);

/** Databases of the server other than the templates, by name. */
async function databases(): Promise<string[]> {
  const rows = await sql(cluster!.primaryUrl, 'select datname from pg_database where not datistemplate order by 1');
  return rows.map((row) => String(row.datname));
}
