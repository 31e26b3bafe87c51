import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgBinDir, startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { freePort, serverOwner, stopServerSync } from '../../../executor/pg/cluster-process.js';
import { runCliAsync, stepEndsOf } from '../../support/cli.js';
import {
  inputArgs,
  isoMs,
  startArchivingCluster,
  switchAndWaitArchived,
  untilServerClockPasses,
  utc,
  withPort,
} from '../../support/pg-archive.js';
import { sql, until } from '../../support/pg-library-run.js';
import { libraryRoot } from '../../support/library-root.js';
import { clusterTimeoutMs, noPostgres, passwordOf, skipReason } from './context.js';

/**
 * The library's postgres-base-backup and postgres-point-in-time-recovery runbooks, run for real
 * through the built CLI against a throwaway PostgreSQL 15 primary that archives its WAL into a
 * directory: base backup, then row A, the target time T, row B, then PITR to T into a fresh data
 * directory on another port. A must be there, B must not.
 */
const owner = serverOwner();
const runMs = 120_000;
let dir = '';
let cluster: PgCluster | undefined;
let library: { root: string; remove: () => void } | undefined;
const restoredDir = () => join(dir, 'restored');

beforeAll(async () => {
  if (noPostgres) return;
  library = libraryRoot();
  dir = mkdtempSync(join(tmpdir(), 'runbook-pitr-'));
  cluster = await startArchivingCluster(dir, [
    // Commit timestamps of rows A and B, to check that T lies strictly between them.
    'track_commit_timestamp = on',
  ]);
  await sql(cluster.primaryUrl, 'create table pitr_rows (name text primary key)');
}, clusterTimeoutMs + 10_000);

afterAll(async () => {
  // The recovered server is the runbook's, not startPostgres's: stopped here, then the rest.
  if (dir && existsSync(join(restoredDir(), 'postmaster.pid')))
    stopServerSync(join(pgBinDir, 'pg_ctl'), restoredDir(), owner);
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  library?.remove();
}, 60_000);

describe.skipIf(noPostgres)(
  noPostgres ? skipReason : 'PostgreSQL 15 base backup + WAL archive + point-in-time recovery',
  () => {
    it(
      'recovers to a time between two commits: the row before it is there, the row after it is not',
      async () => {
        const started = Date.now();
        const primary = cluster!.primaryUrl;
        const backupPath = await runBackup(primary);

        await sql(primary, "insert into pitr_rows values ('A')");
        const target = String((await sql(primary, `select ${utc('clock_timestamp()')} as t`))[0].t);
        await untilServerClockPasses(primary, target);
        await sql(primary, "insert into pitr_rows values ('B')");
        const commits = await sql(
          primary,
          `select name, ${utc('pg_xact_commit_timestamp(xmin)')} as at from pitr_rows order by name`,
        );
        expect(commits.map((r) => r.name)).toEqual(['A', 'B']);
        expect(commits[0].at < target && target < commits[1].at).toBe(true);
        await switchAndWaitArchived(primary, join(dir, 'archive'));

        const port = await freePort();
        const restoredUrl = withPort(primary, port);
        const recoveryStarted = Date.now();
        const r = await runCliAsync(
          [
            'run',
            'postgres-point-in-time-recovery',
            '--root',
            library!.root,
            ...inputArgs({
              target_time: target,
              backup_path: backupPath,
              wal_archive_dir: join(dir, 'archive'),
              data_dir: restoredDir(),
              port: String(port),
              min_tables: '1',
              ...(owner ? { os_user: owner.name } : {}),
            }),
          ],
          { RESTORED_DATABASE_URL: restoredUrl },
          runMs,
        );
        const rtoMs = Date.now() - recoveryStarted;
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(r.stdout + r.stderr).not.toContain(passwordOf(primary));

        const rows = await sql(restoredUrl, 'select name from pitr_rows order by name');
        expect(rows.map((row) => row.name)).toContain('A');
        expect(rows.map((row) => row.name)).not.toContain('B');
        const ends = stepEndsOf(library!.root, r.stdout);
        const lastCommit = String(ends['recovered-point'].outputs?.last_replayed_commit);
        // The last commit replayed is A's, or a later background commit (never B's): at or before T.
        const lastMs = Date.parse(lastCommit);
        expect(lastMs).toBeGreaterThanOrEqual(Math.floor(isoMs(commits[0].at)));
        expect(lastMs).toBeLessThanOrEqual(isoMs(target));
        const rpoMs = isoMs(target) - lastMs;
        console.log(
          `PITR e2e: RTO (recovery run) ${rtoMs} ms; RPO (T - last restored commit) ${rpoMs} ms; ` +
            `whole test ${Date.now() - started} ms`,
        );
      },
      runMs * 2 + 30_000,
    );
  },
);

/** A second primary whose archive_command always fails: the backup runbook must refuse to run on it. */
describe.skipIf(noPostgres)(noPostgres ? skipReason : 'postgres-base-backup on a failing WAL archive', () => {
  it(
    'stops at the archiving check and takes no backup',
    async () => {
      const broken = await startPostgres({
        timeoutMs: clusterTimeoutMs,
        settings: ['archive_mode = on', "archive_command = '/bin/false'", 'archive_timeout = 300'],
      });
      try {
        await sql(broken.primaryUrl, 'create table t (n int)');
        await sql(broken.primaryUrl, 'select pg_switch_wal()');
        await until(
          async () =>
            Number((await sql(broken.primaryUrl, 'select failed_count from pg_stat_archiver'))[0].failed_count) > 0,
        );
        const backupDir = join(broken.dir, 'backups');
        const r = await runCliAsync(
          [
            'run',
            'postgres-base-backup',
            '--root',
            library!.root,
            ...inputArgs({ backup_dir: backupDir, min_free_gb: '0' }),
          ],
          { PRIMARY_DATABASE_URL: broken.primaryUrl },
          runMs,
        );
        expect(r.status).not.toBe(0);
        const ends = stepEndsOf(library!.root, r.stdout);
        expect(ends['check-archiving'].status).toBe('failed');
        expect(ends['base-backup']).toBeUndefined();
        expect(existsSync(backupDir)).toBe(false);
      } finally {
        await broken.stop();
      }
    },
    clusterTimeoutMs + runMs,
  );
});

/** Runs the backup runbook; returns the one base backup it wrote (its scratch copy removed by `finally`). */
async function runBackup(primary: string): Promise<string> {
  const backupDir = join(dir, 'backups');
  const r = await runCliAsync(
    ['run', 'postgres-base-backup', '--root', library!.root, ...inputArgs({ backup_dir: backupDir, min_free_gb: '0' })],
    { PRIMARY_DATABASE_URL: primary },
    runMs,
  );
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const ends = stepEndsOf(library!.root, r.stdout);
  expect(ends['verify-backup'].status).toBe('succeeded');
  const outputs = ends['base-backup'].outputs ?? {};
  expect(Number(outputs.size_bytes)).toBeGreaterThan(0);
  expect(readdirSync(backupDir)).toEqual([outputs.label]);
  const path = String(outputs.path);
  expect(readdirSync(path).sort()).toEqual(['backup_manifest', 'base.tar.gz', 'metadata.json', 'pg_wal.tar.gz']);
  expect(JSON.parse(readFileSync(join(path, 'metadata.json'), 'utf8'))).toMatchObject({ label: outputs.label });
  return path;
}
