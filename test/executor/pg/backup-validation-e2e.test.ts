import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgBinDir, startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { freePort, serverOwner, stopServerSync } from '../../../executor/pg/cluster-process.js';
import { runCliAsync, stepEndsOf, type StepEnd } from '../../support/cli.js';
import { libraryRoot, repo } from '../../support/library-root.js';
import { clusterTimeoutMs, noPostgres, passwordOf, skipReason } from './context.js';

/**
 * The library's postgres-backup-validation runbook (001's validate-backup.sh, with the base backup
 * started as a scratch server where the seed's pg_restore cannot read it), run for real through
 * the built CLI. A throwaway PostgreSQL 15 primary that archives its WAL holds the e-commerce
 * fixture; postgres-base-backup takes the full backup once; each case validates it into its own
 * scratch directory and port. The `finally` cleanup must leave neither a server nor files behind,
 * and the scratch server must never write into the production WAL archive.
 */
const owner = serverOwner();
const runMs = 120_000;
let dir = '';
let cluster: PgCluster | undefined;
let library: { root: string; remove: () => void } | undefined;
let backupName = '';
let cases = 0;
const archive = () => join(dir, 'archive');
const backups = () => join(dir, 'backups');

beforeAll(async () => {
  if (noPostgres) return;
  library = libraryRoot();
  dir = mkdtempSync(join(tmpdir(), 'runbook-backup-validation-'));
  // The archive exists before the server starts; the server (user postgres when we are root) writes it.
  mkdirSync(archive(), { mode: 0o700 });
  if (owner) chownSync(archive(), owner.uid, owner.gid);
  cluster = await startPostgres({
    dir,
    timeoutMs: clusterTimeoutMs,
    settings: [
      'archive_mode = on',
      // The PostgreSQL docs' example archive_command (continuous archiving, 26.3.1): never overwrite.
      `archive_command = 'test ! -f ${archive()}/%f && cp %p ${archive()}/%f'`,
      // postgres-base-backup refuses a server without archive_timeout (its RPO bound).
      'archive_timeout = 300',
    ],
  });
  await sql(cluster.primaryUrl, 'create database shop');
  await sql(dbUrl('shop'), readFileSync(join(repo, 'test', 'fixtures', 'ecommerce', 'schema.sql'), 'utf8'));
  const r = await runCliAsync(
    ['run', 'postgres-base-backup', '--root', library.root, ...inputs({ backup_dir: backups(), min_free_gb: '0' })],
    { PRIMARY_DATABASE_URL: cluster.primaryUrl },
    runMs,
  );
  expect(r.status, r.stdout + r.stderr).toBe(0);
  backupName = String(stepEndsOf(library.root, r.stdout)['base-backup'].outputs?.label);
}, clusterTimeoutMs + runMs);

afterAll(async () => {
  // A scratch server left running by a failed case is stopped here, then the rest.
  for (const entry of dir && existsSync(dir) ? readdirSync(dir) : [])
    if (entry.startsWith('work-') && existsSync(join(dir, entry, 'data', 'postmaster.pid')))
      stopServerSync(join(pgBinDir, 'pg_ctl'), join(dir, entry, 'data'), owner);
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  library?.remove();
}, 60_000);

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'postgres-backup-validation of a real base backup', () => {
  it(
    'restores the backup as a scratch server, counts tables, rows and constraints, then removes it',
    async () => {
      const started = Date.now();
      const { r, ends, workDir } = await validateBackup({ min_backup_bytes: '1000', min_tables: '5' });
      const ms = Date.now() - started;
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(passwordOf(cluster!.primaryUrl));
      expect(Number(ends['verify-metadata'].outputs?.size_bytes)).toBeGreaterThan(1000);
      expect(ends['public-tables'].outputs?.tables).toBe(5);
      const rows = ends['row-counts'].outputs?.tables as { tablename: string; row_count: number }[];
      expect(Object.fromEntries(rows.map((t) => [t.tablename, t.row_count]))).toEqual({
        users: 3,
        customers: 4,
        products: 3,
        orders: 5,
        order_items: 6,
      });
      // 5 primary keys, 3 foreign keys (orders → customers, order_items → orders and products), 2 unique.
      expect(ends['constraints'].outputs?.count).toBe(10);
      expect(ends['cleanup'].status).toBe('succeeded');
      expect(existsSync(workDir)).toBe(false);
      // The backup has archive_mode = on (the primary's): the scratch server must run with it off,
      // or it would archive its own WAL into the production archive under the primary's file names.
      expect(ends['public-tables'].outputs?.archive_mode).toBe('off');
      console.log(`E2E postgres-backup-validation: restore and verify ${ms} ms (no RTO/RPO: a validation)`);
    },
    runMs + 30_000,
  );

  it(
    'refuses a backup under min_backup_bytes (1 GB by default) before restoring anything',
    async () => {
      const { r, ends, workDir } = await validateBackup({ min_tables: '5' });
      expect(r.status).not.toBe(0);
      expect(ends['verify-metadata']).toMatchObject({ status: 'failed', code: 'assert-failed' });
      expect(ends['extract-backup']).toBeUndefined();
      expect(ends['cleanup'].status).toBe('succeeded');
      expect(existsSync(workDir)).toBe(false);
    },
    runMs + 30_000,
  );

  it(
    'fails at public-tables below min_tables (10 by default), and still stops the scratch server',
    async () => {
      const { r, ends, workDir } = await validateBackup({ min_backup_bytes: '1000' });
      expect(r.status).not.toBe(0);
      expect(ends['start-scratch-server'].status).toBe('succeeded');
      expect(ends['public-tables']).toMatchObject({ status: 'failed', code: 'assert-failed' });
      expect(ends['cleanup'].status).toBe('succeeded');
      expect(existsSync(workDir)).toBe(false);
    },
    runMs + 30_000,
  );

  it(
    'postgres-weekly-backup-validation (the scheduled wrapper) validates the newest base backup it finds',
    async () => {
      const workDir = join(dir, `work-${++cases}`);
      const values = {
        backup_dir: backups(),
        work_dir: workDir,
        port: String(await freePort()),
        database: 'shop',
        min_backup_bytes: '1000',
        min_tables: '5',
        ...(owner ? { os_user: owner.name } : {}),
      };
      const r = await runCliAsync(
        ['run', 'postgres-weekly-backup-validation', '--root', library!.root, ...inputs(values)],
        { BACKUP_VALIDATION_DATABASE_URL: cluster!.primaryUrl },
        runMs,
      );
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const ends = stepEndsOf(library!.root, r.stdout);
      expect(ends['newest-backup'].outputs).toMatchObject({ backup_name: backupName });
      expect(ends['validate-backup'].status).toBe('succeeded');
      expect(existsSync(workDir)).toBe(false);
    },
    runMs + 30_000,
  );
});

/** Validates the one base backup in a scratch directory and on a port of its own. */
async function validateBackup(extra: Record<string, string>): Promise<{
  r: { status: number | null; stdout: string; stderr: string };
  ends: Record<string, StepEnd>;
  workDir: string;
}> {
  const workDir = join(dir, `work-${++cases}`);
  const values = {
    backup_name: backupName,
    backup_dir: backups(),
    work_dir: workDir,
    port: String(await freePort()),
    database: 'shop',
    ...(owner ? { os_user: owner.name } : {}),
    ...extra,
  };
  const r = await runCliAsync(
    ['run', 'postgres-backup-validation', '--root', library!.root, ...inputs(values)],
    { BACKUP_VALIDATION_DATABASE_URL: cluster!.primaryUrl },
    runMs,
  );
  return { r, ends: stepEndsOf(library!.root, r.stdout), workDir };
}

function inputs(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
}

function dbUrl(database: string): string {
  const u = new URL(cluster!.primaryUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    // Without parameters pg uses the simple query protocol: a whole fixture file runs in one call.
    await client.query(text);
  } finally {
    await client.end().catch(() => undefined);
  }
}
