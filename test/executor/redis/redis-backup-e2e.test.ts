import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, stepEndsOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';
import { freePort, killDaemon, noRedis, redisCli, startRedis, type RedisServer } from '../../support/redis.js';

/**
 * The library's `redis-backup` and `redis-restore` runbooks, run unchanged through the built CLI
 * against throwaway Debian redis-server 7 processes on 127.0.0.1: an RDB-only server (AOF steps
 * skipped), an AOF server (BGSAVE + BGREWRITEAOF, the multi-part appendonlydir/ copied), restores
 * into a fresh server (RDB) and over the running source server (AOF: stop, keep aside, place,
 * start), every key and value compared, a key written after the backup absent (the RPO), the
 * restore's wall time printed (the RTO), retention, and a corrupted or re-summed set refused.
 */
const { root, remove } = libraryRoot();
const N = 200;
const day = 86_400_000;
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const servers: RedisServer[] = [];
const restoredDirs: string[] = [];

/** N known keys with values unique to this run, so a stale file cannot pass for the backup. */
function knownKeys(prefix: string): Map<string, string> {
  const salt = Math.random().toString(36).slice(2);
  return new Map(Array.from({ length: N }, (_, i) => [`${prefix}:key:${i}`, `value-${i}-${salt}`]));
}

async function write(port: number, keys: Map<string, string>): Promise<void> {
  await redisCli(port, 'MSET', ...[...keys].flat());
}

/** Every key's value on the server at `port` ('' for an absent key), in the order of `keys`. */
async function read(port: number, keys: string[]): Promise<string[]> {
  return (await redisCli(port, 'MGET', ...keys)).split('\n');
}

const inputs = (o: Record<string, string | number>) => Object.entries(o).flatMap(([k, v]) => ['--input', `${k}=${v}`]);

async function run(name: string, o: Record<string, string | number>) {
  const started = Date.now();
  const r = await runCliAsync(['run', name, '--root', root, '--as', '@sre', ...inputs(o)], {}, 60_000);
  const wallMs = Date.now() - started;
  return { ...r, wallMs, steps: r.stdout.includes('run id:') ? stepEndsOf(root, r.stdout) : {} };
}

async function backup(port: number, backupDir: string) {
  const r = await run('redis-backup', { port, backup_dir: backupDir });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  const out = r.steps['copy-files'].outputs as Record<string, string>;
  return { ...r, out };
}

async function restore(o: Record<string, string | number>) {
  const dataDir = String(o.data_dir);
  restoredDirs.push(dataDir);
  return run('redis-restore', o);
}

describe.skipIf(noRedis)(
  noRedis ?? 'Redis backup and restore runbooks against real redis-server',
  { timeout: 120_000 },
  () => {
    beforeAll(() => mkdirSync(join(root, 'redis')), 30_000);
    afterAll(async () => {
      // Every server this file started, also when a test failed halfway.
      await Promise.all(servers.map((s) => s.stop()));
      await Promise.all(restoredDirs.map(killDaemon));
      remove();
    }, 60_000);

    it('RDB: BGSAVE confirmed through INFO, a checksummed set, retention, restore into a fresh server', async () => {
      const srcDir = join(root, 'redis', 'rdb-src');
      const backups = join(root, 'redis', 'rdb-backups');
      mkdirSync(srcDir);
      mkdirSync(backups);
      const src = await startRedis(srcDir, { aof: false });
      servers.push(src);
      const keys = knownKeys('rdb');
      await write(src.port, keys);
      // Retention (001:876, 7 days): a set 8 days old goes, one 6 days old and a stranger stay.
      const plant = (name: string, ageDays: number) => {
        const p = join(backups, name);
        mkdirSync(p);
        const t = new Date(Date.now() - ageDays * day);
        utimesSync(p, t, t);
        return p;
      };
      const old = plant('redis-20000101T000000Z-old', 8);
      const recent = plant('redis-20000102T000000Z-recent', 6);
      const other = plant('not-a-redis-set', 30);

      const b = await backup(src.port, backups);
      const setDir = b.out.backup_path;
      expect(setDir.startsWith(join(backups, 'redis-'))).toBe(true);
      expect(readdirSync(setDir).sort()).toEqual(['SHA256SUMS', 'dump.rdb', 'metadata.json']);
      expect(b.out.rdb_sha256).toBe(sha256(join(setDir, 'dump.rdb')));
      expect(b.out.sums_sha256).toBe(sha256(join(setDir, 'SHA256SUMS')));
      expect(Number(b.out.rdb_bytes)).toBe(statSync(join(setDir, 'dump.rdb')).size);
      expect(b.out.rdb_keys).toBe(String(N));
      expect(b.steps['wait-bgsave'].status).toBe('succeeded');
      // AOF is off on this server: its steps are skipped, and so is the finally's re-enable.
      expect(b.steps['bgrewriteaof'].status).toBe('skipped');
      expect(b.steps['restore-aof-autorewrite'].status).toBe('skipped');
      expect(b.steps['prune-old-sets'].outputs).toMatchObject({ deleted: '1' });
      expect([existsSync(old), existsSync(recent), existsSync(other)]).toEqual([false, true, true]);

      // RPO: a write after the backup is not in it.
      await redisCli(src.port, 'SET', 'rdb:after-backup', 'lost');
      const port = await freePort();
      const dataDir = join(root, 'redis', 'rdb-restored');
      const r = await restore({
        backup_path: setDir,
        mode: 'rdb',
        data_dir: dataDir,
        port,
        expected_sums_sha256: b.out.sums_sha256,
        sample_keys: 'rdb:key:0 rdb:key:199',
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      console.log(`redis RDB restore: RTO ${r.wallMs} ms (CLI wall time, ${N} keys)`);
      expect(r.steps['verify-keys'].outputs).toMatchObject({ restored_keys: String(N) });
      expect(await read(port, [...keys.keys()])).toEqual([...keys.values()]);
      expect(await redisCli(port, 'EXISTS', 'rdb:after-backup')).toBe('0');
      expect(await redisCli(port, 'DBSIZE')).toBe(String(N));
      const rpo = Number((r.steps['check-set'].outputs as Record<string, string>).rpoSeconds);
      expect(rpo).toBeGreaterThanOrEqual(0);
      expect(rpo).toBeLessThan(120);
      console.log(`redis RDB restore: RPO ${rpo} s (the backup's age); the key written after it is absent`);
      // enable_aof (default): the restored server persists with AOF, as the seed's redis.conf does.
      expect(await redisCli(port, 'CONFIG', 'GET', 'appendonly')).toBe('appendonly\nyes');
      expect(existsSync(join(dataDir, 'appendonlydir', 'appendonly.aof.manifest'))).toBe(true);
    });

    it('AOF: BGREWRITEAOF, the multi-part appendonlydir/ copied, restored over the running source server', async () => {
      const srcDir = join(root, 'redis', 'aof-src');
      const backups = join(root, 'redis', 'aof-backups');
      mkdirSync(srcDir);
      const src = await startRedis(srcDir, { aof: true });
      servers.push(src);
      const keys = knownKeys('aof');
      await write(src.port, keys);
      await redisCli(src.port, 'CONFIG', 'SET', 'auto-aof-rewrite-percentage', '77');

      const b = await backup(src.port, backups);
      const setDir = b.out.backup_path;
      expect(b.steps['wait-aof-rewrite'].status).toBe('succeeded');
      const aofFiles = readdirSync(join(setDir, 'appendonlydir')).sort();
      expect(aofFiles).toContain('appendonly.aof.manifest');
      expect(aofFiles.some((f) => /^appendonly\.aof\.\d+\.base\.rdb$/.test(f))).toBe(true);
      const sums = readFileSync(join(setDir, 'SHA256SUMS'), 'utf8');
      expect(sums).toContain(
        `${sha256(join(setDir, 'appendonlydir', 'appendonly.aof.manifest'))}  appendonlydir/appendonly.aof.manifest`,
      );
      expect(b.out.aof_keys).toBe(String(N));
      // finally put back the operator's setting, not Redis' default.
      expect(b.steps['restore-aof-autorewrite'].status).toBe('succeeded');
      expect(await redisCli(src.port, 'CONFIG', 'GET', 'auto-aof-rewrite-percentage')).toBe(
        'auto-aof-rewrite-percentage\n77',
      );

      await redisCli(src.port, 'SET', 'aof:after-backup', 'lost');
      // The seed's self-managed restore (003:1406-1458) over the live server: stop it, keep its
      // data aside, place the AOF set, start, wait for loading:0, check.
      const r = await restore({
        backup_path: setDir,
        mode: 'aof',
        data_dir: srcDir,
        port: src.port,
        expected_sums_sha256: b.out.sums_sha256,
        sample_keys: 'aof:key:0 aof:key:199',
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      console.log(
        `redis AOF restore: RTO ${r.wallMs} ms (CLI wall time, ${N} keys, including stopping the old server)`,
      );
      expect(r.steps['stop-target'].outputs).toMatchObject({ was_running: 'true' });
      expect(r.steps['enable-aof'].status).toBe('skipped');
      const aside = readdirSync(join(root, 'redis')).filter((d) => d.startsWith('aof-src.pre-restore-'));
      expect(aside).toHaveLength(1);
      expect(await read(src.port, [...keys.keys()])).toEqual([...keys.values()]);
      expect(await redisCli(src.port, 'EXISTS', 'aof:after-backup')).toBe('0');
      expect(await redisCli(src.port, 'DBSIZE')).toBe(String(N));
      expect(await redisCli(src.port, 'CONFIG', 'GET', 'appendonly')).toBe('appendonly\nyes');
      const rpo = (r.steps['check-set'].outputs as Record<string, string>).rpoSeconds;
      console.log(`redis AOF restore: RPO ${rpo} s (the backup's age); the key written after it is absent`);
    });

    it('refuses a set whose file no longer matches SHA256SUMS, or whose SHA256SUMS was rewritten, before touching the target', async () => {
      const srcDir = join(root, 'redis', 'bad-src');
      mkdirSync(srcDir);
      const src = await startRedis(srcDir, { aof: false });
      servers.push(src);
      await write(src.port, knownKeys('bad'));
      const b = await backup(src.port, join(root, 'redis', 'bad-backups'));

      // One byte of dump.rdb flipped.
      const flipped = `${b.out.backup_path}-flipped`;
      cpSync(b.out.backup_path, flipped, { recursive: true });
      const rdb = readFileSync(join(flipped, 'dump.rdb'));
      rdb[rdb.length - 12] ^= 0xff;
      writeFileSync(join(flipped, 'dump.rdb'), rdb);
      // The same damage with SHA256SUMS recomputed to match: only the sum the backup recorded catches it.
      const resummed = `${b.out.backup_path}-resummed`;
      cpSync(flipped, resummed, { recursive: true });
      const sums = readFileSync(join(resummed, 'SHA256SUMS'), 'utf8');
      writeFileSync(
        join(resummed, 'SHA256SUMS'),
        sums.replace(/^[0-9a-f]{64}(?= {2}dump\.rdb$)/m, sha256(join(resummed, 'dump.rdb'))),
      );

      for (const [setDir, problem] of [
        [flipped, /does not match its SHA256SUMS/],
        [resummed, /the backup recorded/],
      ] as const) {
        const port = await freePort();
        const dataDir = join(root, 'redis', `refused-${restoredDirs.length}`);
        const r = await restore({
          backup_path: setDir,
          mode: 'rdb',
          data_dir: dataDir,
          port,
          expected_sums_sha256: b.out.sums_sha256,
        });
        expect(r.status, r.stdout).not.toBe(0);
        expect(r.steps['check-set'].status).toBe('failed');
        expect(r.steps['check-set'].error).toMatch(problem);
        // Nothing after the check started: no data directory, no server.
        expect(r.steps['stop-target']).toBeUndefined();
        expect(existsSync(dataDir)).toBe(false);
      }
    });
  },
);
