import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { pgBinDir, startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import {
  inputArgs,
  isoMs,
  planHash,
  startArchivingCluster,
  switchAndWaitArchived,
  untilServerClockPasses,
  utc,
  withPort,
} from '../../support/pg-archive.js';
import { sql } from '../../support/pg-library-run.js';
import { freePort, serverOwner, stopServerSync } from '../../../executor/pg/cluster-process.js';
import { startCaptureServer, type CaptureServer } from '../../support/capture-server.js';
import { runCliAsync, runIdOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';
import { clusterTimeoutMs, noPostgres, passwordOf, skipReason } from './context.js';

/**
 * 001's two database-recovery scenarios as the library encodes them (postgres-recent-data-loss,
 * postgres-complete-database-loss), through the built CLI: dry runs that check the plan (steps,
 * order, the branch taken, the commands and the runbooks composed), and a real run of the
 * complete-loss scenario from the nightly dump and of the recent-data-loss scenario (base backup,
 * a wrong DELETE, recovery to just before it) against throwaway PostgreSQL 15 servers. The
 * complete-loss base-backup branch is postgres-point-in-time-recovery to "latest": that runbook
 * runs for real here and in pitr-e2e.test.ts.
 */
const runMs = 120_000;
const db = 'platform_production';
const owner = serverOwner();
let library: { root: string; remove: () => void } | undefined;

beforeAll(() => {
  library = libraryRoot();
});
afterAll(() => library?.remove());

describe('postgres-recent-data-loss (dry run)', () => {
  it('identifies the base backup, stops the application, runs the PITR runbook to the target, resumes the application', async () => {
    const r = await runCli(
      'postgres-recent-data-loss',
      { target_time: '2026-12-05 14:30:00 UTC', app_deployment: 'orders-api', app_replicas: '4' },
      {},
      ['--dry-run'],
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(stepOrder(r.records)).toEqual([
      'identify-base-backup',
      'scale-down-app',
      'point-in-time-recovery',
      'scale-up-app',
    ]);
    expect(r.stdout + r.stderr).toContain('kubectl scale deployment "$APP_DEPLOYMENT" --replicas=0');
    expect(r.stdout + r.stderr).toContain('run runbook postgres-point-in-time-recovery with target_time, backup_path');
    expect(r.stdout + r.stderr).toContain('kubectl scale deployment "$APP_DEPLOYMENT" --replicas="$APP_REPLICAS"');
    // The composed call passes the target through, and the scaling gets the deployment.
    const node = graphNode('postgres-recent-data-loss', 'point-in-time-recovery');
    expect(node.with).toMatchObject({
      runbook: 'postgres-point-in-time-recovery',
      inputs: {
        target_time: '{{inputs.target_time}}',
        backup_path: '{{steps.identify-base-backup.outputs.backup_path}}',
      },
    });
    expect(graphObjectives('postgres-recent-data-loss')).toEqual({ rtoMs: 1_800_000, rpoMs: 300_000 });
  });

  it('without a deployment, stops and resumes nothing on Kubernetes', async () => {
    const r = await runCli(
      'postgres-recent-data-loss',
      { target_time: '2026-12-05 14:30:00 UTC', app_deployment: '' },
      {},
      ['--dry-run'],
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(skipped(r.records)).toEqual(['scale-down-app', 'scale-up-app']);
    expect(r.stdout + r.stderr).not.toContain('kubectl');
  });
});

describe('postgres-complete-database-loss (dry run)', () => {
  it('base-backup: declares, alerts, provisions, replays the whole WAL archive, checks, migrates', async () => {
    const r = await runCli('postgres-complete-database-loss', { reason: 'disk array lost' }, {}, ['--dry-run']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(stepOrder(r.records)).toEqual([
      'declare-dr',
      'alert-engineering',
      'provision-cluster',
      'latest-base-backup',
      'replay-wal',
      'verify-replication-setup',
      'integrity-checks',
      'update-connection-strings',
      'gradual-traffic-migration',
      'monitor',
    ]);
    expect(skipped(r.records)).toEqual(['restore-dump']);
    expect(r.stdout + r.stderr).toContain('run runbook postgres-point-in-time-recovery');
    expect(r.stdout + r.stderr).toContain('notify internal-alert');
    expect(graphNode('postgres-complete-database-loss', 'replay-wal').with).toMatchObject({
      runbook: 'postgres-point-in-time-recovery',
      inputs: { target_time: 'latest' },
    });
    expect(graphObjectives('postgres-complete-database-loss')).toEqual({ rtoMs: 14_400_000, rpoMs: 300_000 });
  });

  it('dump: restores the nightly dump instead, without scaling anything itself', async () => {
    const r = await runCli('postgres-complete-database-loss', { reason: 'archive lost too', source: 'dump' }, {}, [
      '--dry-run',
    ]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(skipped(r.records)).toEqual(['latest-base-backup', 'replay-wal']);
    expect(r.stdout + r.stderr).toContain('run runbook postgres-dump-restore');
    expect(graphNode('postgres-complete-database-loss', 'restore-dump').with).toMatchObject({
      runbook: 'postgres-dump-restore',
      inputs: { app_deployment: '' },
    });
  });
});

describe.skipIf(noPostgres)(
  noPostgres ? skipReason : 'postgres-complete-database-loss from the nightly dump, for real',
  () => {
    let cluster: PgCluster | undefined;
    let capture: CaptureServer | undefined;
    const dbUrl = () => cluster!.primaryUrl.replace(/\/postgres$/, `/${db}`);

    beforeAll(async () => {
      // The rebuilt cluster archives its WAL (the replication-setup check asks for it).
      const walArchive = join(library!.root, 'wal-archive');
      mkdirSync(walArchive, { mode: 0o700 });
      if (owner) chownSync(walArchive, owner.uid, owner.gid);
      [cluster, capture] = await Promise.all([
        startPostgres({
          timeoutMs: clusterTimeoutMs,
          settings: [
            'archive_mode = on',
            `archive_command = 'test ! -f ${walArchive}/%f && cp %p ${walArchive}/%f'`,
            'track_commit_timestamp = on',
          ],
        }),
        startCaptureServer(),
      ]);
      await sql(cluster.primaryUrl, `create database ${db}`);
      await sql(
        dbUrl(),
        [
          'create table users (id serial primary key, email text not null unique)',
          ...[
            'orders',
            'products',
            'order_items',
            'payments',
            'shipments',
            'addresses',
            'carts',
            'reviews',
            'sessions',
          ].map((t) => `create table ${t} (id serial primary key, note text)`),
          "insert into users (email) values ('a@example.com'), ('b@example.com')",
        ].join(';'),
      );
    }, clusterTimeoutMs + 10_000);

    afterAll(async () => {
      await cluster?.stop();
      await capture?.close();
    }, 60_000);

    it(
      'declares, alerts the war room, restores the dropped database from the dump, checks it; the row after the dump is lost',
      async () => {
        const env = { PLATFORM_DATABASE_URL: dbUrl(), SLACK_WEBHOOK_URL: `${capture!.url}/slack` };
        const backups = join(library!.root, 'backups');
        const plan = await runCli(
          'platform-postgres-nightly',
          { backup_dir: backups, archive_dir: join(library!.root, 'archive'), min_backup_bytes: '1000000' },
          env,
        );
        expect(plan.status, plan.stdout + plan.stderr).toBe(0);
        const dumpStartedMs = Date.parse(
          plan.records.find((x) => x.type === 'step:start' && x.stepId === 'backup-platform-production')!.ts,
        );
        await sql(dbUrl(), "insert into users (email) values ('after-dump@example.com')");
        const [lost] = await sql(
          dbUrl(),
          "select pg_xact_commit_timestamp(xmin) as at from users where email = 'after-dump@example.com'",
        );
        await sql(cluster!.primaryUrl, `drop database ${db} with (force)`);

        const inputs = { reason: 'cluster lost in CI', source: 'dump', backup_dir: backups, min_tables: '10' };
        const approvals = join(library!.root, 'declare.yaml');
        writeFileSync(
          approvals,
          `approvals:\n  - { step: declare-dr, approver: "@jane-smith", planHash: ${await planHash(library!.root, 'postgres-complete-database-loss', inputs)} }\n`,
        );
        const before = capture!.bodies.length;
        const started = Date.now();
        const r = await runCli('postgres-complete-database-loss', inputs, env, [
          '--approvals',
          approvals,
          '--confirm-as',
          '@bob-wilson',
        ]);
        const rtoMs = Date.now() - started;
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout + r.stderr + JSON.stringify(r.records)).not.toContain(passwordOf(cluster!.primaryUrl));
        expect(ended(r.records, 'restore-dump')).toMatchObject({
          status: 'succeeded',
          outputs: { status: 'succeeded' },
        });
        expect(ended(r.records, 'verify-replication-setup')?.status).toBe('succeeded');
        expect(ended(r.records, 'integrity-checks')?.status).toBe('succeeded');
        const alerts = capture!.bodies.slice(before).map((b) => (JSON.parse(b) as { text: string }).text);
        expect(
          alerts.some((t) => t.includes('the loss of the self-managed PostgreSQL cluster: cluster lost in CI')),
        ).toBe(true);
        const emails = (await sql(dbUrl(), 'select email from users order by id')).map((row) => row.email);
        expect(emails).toEqual(['a@example.com', 'b@example.com']);
        const rpoMs = (lost.at as Date).getTime() - dumpStartedMs;
        console.log(`E2E postgres-complete-database-loss (dump): RTO ${rtoMs} ms, RPO ${rpoMs} ms`);
      },
      runMs * 3,
    );
  },
);

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'postgres-recent-data-loss, for real', () => {
  let cluster: PgCluster | undefined;
  let dir = '';
  const restoredDir = () => join(dir, 'restored');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runbook-data-loss-'));
    cluster = await startArchivingCluster(dir);
    await sql(cluster.primaryUrl, 'create table accounts (name text primary key)');
  }, clusterTimeoutMs + 10_000);

  afterAll(async () => {
    // The recovered server is the runbook's, not startPostgres's: stopped here, then the rest.
    if (dir) stopServerSync(join(pgBinDir, 'pg_ctl'), restoredDir(), owner);
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it(
    'recovers to just before a wrong DELETE from the newest base backup: the deleted row is back, the later write is not',
    async () => {
      const primary = cluster!.primaryUrl;
      const backupDir = join(dir, 'backups');
      const backup = await runCli(
        'postgres-base-backup',
        { backup_dir: backupDir, min_free_gb: '0' },
        {
          PRIMARY_DATABASE_URL: primary,
        },
      );
      expect(backup.status, backup.stdout + backup.stderr).toBe(0);

      // metadata.json's completed_at has whole seconds and recovery must start from a backup
      // completed before the target: the target is taken after the next second has begun.
      const completed = String(
        JSON.parse(
          readFileSync(join(String(ended(backup.records, 'base-backup')?.outputs?.path), 'metadata.json'), 'utf8'),
        ).completed_at,
      );
      await untilServerClockPasses(primary, new Date(Date.parse(completed) + 1000).toISOString());
      await sql(primary, "insert into accounts values ('kept')");
      const [{ t: target }] = await sql(primary, `select ${utc('clock_timestamp()')} as t`);
      await untilServerClockPasses(primary, String(target));
      // The data loss, then one more write after it: both after the target.
      await sql(primary, "delete from accounts where name = 'kept'");
      await sql(primary, "insert into accounts values ('later')");
      await switchAndWaitArchived(primary, join(dir, 'archive'));

      const port = await freePort();
      const restoredUrl = withPort(primary, port);
      const started = Date.now();
      const r = await runCli(
        'postgres-recent-data-loss',
        {
          target_time: String(target),
          backup_dir: backupDir,
          wal_archive_dir: join(dir, 'archive'),
          data_dir: restoredDir(),
          port: String(port),
          min_tables: '1',
          app_deployment: '',
          ...(owner ? { os_user: owner.name } : {}),
        },
        { RESTORED_DATABASE_URL: restoredUrl },
      );
      const rtoMs = Date.now() - started;
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(String(ended(r.records, 'identify-base-backup')?.outputs?.backup_path)).toMatch(/\/full_\d{8}_\d{6}$/);
      const names = (await sql(restoredUrl, 'select name from accounts order by name')).map((row) => row.name);
      expect(names).toEqual(['kept']);
      const nested = ended(r.records, 'point-in-time-recovery')?.outputs as
        | { status: string; outputs: Record<string, Record<string, unknown>> }
        | undefined;
      expect(nested?.status).toBe('succeeded');
      const lastCommit = Date.parse(String(nested?.outputs['recovered-point']?.last_replayed_commit));
      const rpoMs = isoMs(String(target)) - lastCommit;
      expect(rpoMs).toBeGreaterThanOrEqual(0);
      console.log(`E2E postgres-recent-data-loss: RTO ${rtoMs} ms, RPO ${rpoMs} ms`);
    },
    runMs * 2 + 30_000,
  );
});

async function runCli(name: string, inputs: Record<string, string>, env: Record<string, string>, extra: string[] = []) {
  const r = await runCliAsync(
    ['run', name, '--root', library!.root, '--as', '@ops', ...inputArgs(inputs), ...extra],
    // The server's own client tools (pg_dump and pg_restore must not be older than the server).
    { ...env, PATH: `${pgBinDir}:${process.env.PATH ?? ''}` },
    runMs,
  );
  const runId = runIdOf(r.stdout);
  const text = readFileSync(join(library!.root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8');
  return { ...r, runId, records: parseAuditText(text).records };
}

/** Steps that started, in the order they started (skipped steps never start). */
const stepOrder = (rs: AuditRecord[]) => rs.filter((x) => x.type === 'step:start').map((x) => String(x.stepId));
const skipped = (rs: AuditRecord[]) =>
  rs
    .filter((x) => x.type === 'step:end' && (x.data as { status: string }).status === 'skipped')
    .map((x) => String(x.stepId));
const ended = (rs: AuditRecord[], stepId: string) =>
  rs.find((x) => x.type === 'step:end' && x.stepId === stepId)?.data as
    | { status: string; outputs?: Record<string, unknown> }
    | undefined;

function graph(name: string): { nodes: { id: string; with: unknown }[]; objectives: unknown } {
  return JSON.parse(readFileSync(join(library!.root, 'generated', 'graphs', `${name}.json`), 'utf8'));
}
const graphNode = (name: string, id: string) => graph(name).nodes.find((n) => n.id === id)!;
const graphObjectives = (name: string) => graph(name).objectives;
