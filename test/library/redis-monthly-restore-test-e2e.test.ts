import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync, stepEndsOf } from '../support/cli.js';
import { libraryRoot } from '../support/library-root.js';
import { freePort, killDaemon, noRedis, redisCli, startRedis, type RedisServer } from '../support/redis.js';

/**
 * The library's `redis-monthly-restore-test` (V5: 003:3451, Redis "Monthly (1st of month)",
 * "Restore to test cluster", "Key count matches"), run unchanged through the built CLI: a
 * loopback redis-server stands for production, `redis-backup` writes a set, then the wrapper
 * restores the NEWEST set into a scratch test server (redis-restore checks the key count against
 * the set's metadata), and removes the test server and its files. Production is never touched.
 */
const { root, remove } = libraryRoot();
const N = 150;
const servers: RedisServer[] = [];
let testDataDir = '';

const inputs = (o: Record<string, string | number>) => Object.entries(o).flatMap(([k, v]) => ['--input', `${k}=${v}`]);

async function run(name: string, o: Record<string, string | number>) {
  const started = Date.now();
  const r = await runCliAsync(['run', name, '--root', root, '--as', '@sre', ...inputs(o)], {}, 90_000);
  return { ...r, wallMs: Date.now() - started, steps: r.stdout.includes('run id:') ? stepEndsOf(root, r.stdout) : {} };
}

/** A directory named like a redis-backup set, older than the real one: the wrapper must not pick it. */
function olderDecoy(backups: string): string {
  const p = join(backups, 'redis-20000101T000000Z-decoy');
  mkdirSync(p);
  const t = new Date(Date.now() - 86_400_000);
  utimesSync(p, t, t);
  return p;
}

describe.skipIf(noRedis)(
  noRedis ?? 'redis-monthly-restore-test against real redis-server',
  { timeout: 150_000 },
  () => {
    afterAll(async () => {
      await Promise.all(servers.map((s) => s.stop()));
      if (testDataDir !== '' && existsSync(testDataDir)) await killDaemon(testDataDir);
      remove();
    }, 60_000);

    it('restores the newest set into a scratch server, the key count matches, then removes it', async () => {
      const prodDir = join(root, 'redis-prod');
      const backups = join(root, 'redis-backups');
      mkdirSync(prodDir);
      mkdirSync(backups);
      const prod = await startRedis(prodDir, { aof: false });
      servers.push(prod);
      await redisCli(prod.port, 'MSET', ...Array.from({ length: N }, (_, i) => [`k:${i}`, `v-${i}`]).flat());
      olderDecoy(backups);
      const b = await run('redis-backup', { port: prod.port, backup_dir: backups });
      expect(b.status, b.stdout + b.stderr).toBe(0);
      const setDir = (b.steps['copy-files'].outputs as Record<string, string>).backup_path;
      await redisCli(prod.port, 'SET', 'k:after-backup', 'production keeps it');

      const testPort = await freePort();
      testDataDir = join(root, 'redis-restore-test');
      const r = await run('redis-monthly-restore-test', {
        backup_dir: backups,
        test_data_dir: testDataDir,
        test_port: testPort,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      console.log(`E2E redis-monthly-restore-test: RTO ${r.wallMs} ms (CLI wall time, ${N} keys)`);
      expect(r.steps['newest-set'].outputs).toMatchObject({ backup_path: setDir });
      expect(r.steps['restore-test'].status).toBe('succeeded');
      expect(r.steps['remove-test-server'].status).toBe('succeeded');
      // The test server is gone with its files; production still answers with its own data.
      await expect(redisCli(testPort, 'PING')).rejects.toThrow();
      expect(existsSync(testDataDir)).toBe(false);
      expect(readdirSync(root).filter((d) => d.startsWith('redis-restore-test.pre-restore-'))).toEqual([]);
      expect(await redisCli(prod.port, 'GET', 'k:after-backup')).toBe('production keeps it');
      expect(await redisCli(prod.port, 'DBSIZE')).toBe(String(N + 1));
    });

    it('fails when the backup directory holds no set, before any restore', async () => {
      const empty = join(root, 'no-sets');
      mkdirSync(empty);
      const r = await run('redis-monthly-restore-test', {
        backup_dir: empty,
        test_data_dir: join(root, 'unused-test-dir'),
        test_port: await freePort(),
      });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain(`no redis-backup set in ${empty}`);
      expect(r.steps['restore-test']?.status ?? 'not run').not.toBe('succeeded');
    });
  },
);
