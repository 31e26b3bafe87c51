import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { pgBinDir, startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { startCaptureServer, type CaptureServer } from '../../support/capture-server.js';
import { bin, cliEnv, runCliAsync, runIdOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';
import { clusterTimeoutMs, noPostgres, skipReason } from '../pg/context.js';

/**
 * The library's BackupPlan `platform-postgres-nightly`, run for real through the built CLI
 * against a throwaway PostgreSQL 15: pg_dump, restore into a scratch database, the plan's three
 * checks, prune, and the report (to a loopback Slack webhook). Everything is checked from outside
 * the executor: files in the backup directory, pg_database, the captured message, the journal.
 *
 * The plan runs unchanged: its database URL is its secret PLATFORM_DATABASE_URL and its backup
 * directory its `backup_dir` input. Then one check fails (users emptied): the scratch database
 * is still dropped, prune does not run, and the report names the failed check.
 */
const { root, remove } = libraryRoot();
const plan = 'platform-postgres-nightly';
const target = 'platform-production';
const scratch = `${target}_verify`;
const day = 86_400_000;

let pg: PgCluster | undefined;
let capture: CaptureServer | undefined;
let backups: string;
let archive: string;

const dbUrl = () => pg!.primaryUrl.replace(/\/postgres$/, '/platform_production');

function psql(url: string, sql: string): string {
  const r = spawnSync(join(pgBinDir, 'psql'), ['--dbname', url, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.trim();
}

// What validate-backup.sh / validate-recovery.sh expect: ≥ 10 public tables, primary, foreign
// and unique constraints, rows in users.
const seed = `
create table users (id serial primary key, email text not null unique);
create table orders (id serial primary key, user_id int not null references users(id), total numeric not null);
${['products', 'order_items', 'payments', 'shipments', 'addresses', 'carts', 'reviews', 'sessions'].map((t) => `create table ${t} (id serial primary key, note text);`).join('\n')}
insert into users (email) values ('a@example.com'), ('b@example.com'), ('c@example.com');
insert into orders (user_id, total) values (1, 10), (2, 20);
`;

/**
 * A dump in the backup directory named as the plan's own (`<target>-<run id>.dump`: the pruner
 * touches nothing else), last modified `ageDays` ago; `stamp` is the run id's date part.
 */
function plant(stamp: string, ageDays: number): string {
  const path = join(backups, `${target}-${stamp}-${plan}-0a0a.dump`);
  writeFileSync(path, 'old dump');
  const t = new Date(Date.now() - ageDays * day);
  utimesSync(path, t, t);
  return path;
}

async function runPlan() {
  const before = capture!.bodies.length;
  const r = await runCliAsync(
    [
      'run',
      plan,
      '--root',
      root,
      '--as',
      '@ops',
      '--input',
      `backup_dir=${backups}`,
      '--input',
      `archive_dir=${archive}`,
      // 001's 1 GB floor (backup-size) is for production; the seeded database is a few MB.
      '--input',
      'min_backup_bytes=1000000',
    ],
    {
      PLATFORM_DATABASE_URL: dbUrl(),
      SLACK_WEBHOOK_URL: `${capture!.url}/slack`,
      // The server's own client tools (pg_dump must not be older than the server).
      PATH: `${pgBinDir}:${process.env.PATH ?? ''}`,
    },
    120_000,
  );
  const runId = runIdOf(r.stdout);
  const records = parseAuditText(readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8')).records;
  const reports = capture!.bodies.slice(before).map((b) => (JSON.parse(b) as { text: string }).text);
  return { ...r, runId, records, reports };
}

const ended = (rs: AuditRecord[], stepId: string) =>
  rs.find((r) => r.type === 'step:end' && r.stepId === stepId)?.data as
    | { status: string; error?: string; code?: string; outputs?: Record<string, unknown> }
    | undefined;
const started = (rs: AuditRecord[], stepId: string) => rs.some((r) => r.type === 'step:start' && r.stepId === stepId);
const scratchExists = () =>
  psql(pg!.primaryUrl, `select count(*) from pg_database where datname = '${scratch}'`) === '1';
const auditVerifies = (runId: string) =>
  spawnSync(process.execPath, [bin, 'audit', 'verify', runId, '--root', root], { encoding: 'utf8', env: cliEnv() });

describe.skipIf(noPostgres)(`BackupPlan ${plan} against a throwaway PostgreSQL`, { timeout: 180_000 }, () => {
  beforeAll(async () => {
    [pg, capture] = await Promise.all([startPostgres(), startCaptureServer()]);
    psql(pg.primaryUrl, 'create database platform_production');
    psql(dbUrl(), seed);
    backups = join(root, 'backups');
    archive = join(root, 'archive');
    mkdirSync(backups);
  }, clusterTimeoutMs);
  afterAll(async () => {
    await pg?.stop();
    await capture?.close();
    remove();
  });

  it('dumps, restores into a scratch database, checks, prunes, drops the scratch database and reports success', async () => {
    // Older than every retention tier of the plan (hot 2d … archive 2555d): gone whatever the
    // pruning policy; 1 day old: kept locally; 10 days old: past hot (2 days locally, 001:428-432),
    // so moved to the archive directory.
    const old = plant('20180101-020000', 3000);
    const recent = plant('20990101-020000', 1);
    const pastHot = plant('20990102-020000', 10);
    const r = await runPlan();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const dump = join(backups, `${target}-${r.runId}.dump`);
    expect(existsSync(dump)).toBe(true);
    expect(ended(r.records, `backup-${target}`)?.outputs).toMatchObject({ path: dump });
    // The checks ran against the restored copy: it has the seeded users.
    expect(ended(r.records, `restore-${target}`)?.status).toBe('succeeded');
    for (const check of ['public-tables', 'constraints-present', 'backup-size', 'users-present']) {
      expect(ended(r.records, `check-${target}-${check}`)?.status, check).toBe('succeeded');
    }
    expect(JSON.stringify(ended(r.records, `check-${target}-users-present`)?.outputs)).toContain('"n":3');
    expect(ended(r.records, `cleanup-${target}`)?.status).toBe('succeeded');
    expect(scratchExists()).toBe(false);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(pastHot)).toBe(false);
    expect(existsSync(join(archive, basename(pastHot)))).toBe(true);
    expect(r.reports).toHaveLength(1);
    expect(r.reports[0]).toContain('Status: succeeded');
    expect(r.reports[0]).toContain('All steps and integrity checks passed.');
    expect(r.reports[0]).toContain(`Snapshot: ${dump}`);
    expect(r.reports[0]).not.toContain('FAILED');
    // The database password is a secret: not in the report, the output or the journal.
    const password = decodeURIComponent(new URL(pg!.primaryUrl).password);
    expect(r.reports[0] + r.stdout + r.stderr + JSON.stringify(r.records)).not.toContain(password);
    const v = auditVerifies(r.runId);
    expect(v.status, v.stdout + v.stderr).toBe(0);
  });

  it('a failing check fails the run; the scratch database is still dropped, nothing is pruned, the report names the check', async () => {
    psql(dbUrl(), 'truncate users cascade');
    const old = plant('20180102-020000', 3000);
    const r = await runPlan();
    expect(r.status, r.stdout + r.stderr).toBe(4);
    expect(ended(r.records, `check-${target}-users-present`)).toMatchObject({
      status: 'failed',
      code: 'assert-failed',
    });
    expect(r.records.at(-1)?.data).toMatchObject({ status: 'failed' });
    // The restore ran, so the cleanup did, after the failure.
    expect(ended(r.records, `cleanup-${target}`)?.status).toBe('succeeded');
    expect(scratchExists()).toBe(false);
    // Never delete old backups when today's did not verify.
    expect(started(r.records, `prune-${target}`)).toBe(false);
    expect(existsSync(old)).toBe(true);
    expect(r.reports).toHaveLength(1);
    const report = r.reports[0];
    expect(report).toContain('Status: failed');
    expect(report).toContain(`FAILED: check-${target}-users-present`);
    expect(report).toMatch(
      new RegExp(`- check-${target}-users-present: failed: assert failed: \\{\\{gt result\\.rows\\.0\\.n 0\\}\\}`),
    );
    expect(report).not.toContain('All steps and integrity checks passed.');
    const v = auditVerifies(r.runId);
    expect(v.status, v.stdout + v.stderr).toBe(0);
  });
});

if (noPostgres) describe.skip(skipReason, () => it('skipped', () => undefined));
