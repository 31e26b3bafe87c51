import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { serverOwner } from '../../executor/pg/cluster-process.js';
import { runCliAsync, stepEndsOf } from '../support/cli.js';
import { libraryRoot, repo } from '../support/library-root.js';
import { clusterTimeoutMs, noPostgres, skipReason } from '../executor/pg/context.js';

/**
 * The metrics postgres-base-backup pushes to a Prometheus Pushgateway (001:239-248 send_metric, job
 * database_backup), caught by a loopback stand-in for the Pushgateway while the runbook runs for
 * real against a throwaway PostgreSQL 15 primary: a successful backup pushes its duration, size,
 * success and success time; a failed one pushes its failure time (the `finally` step). Every
 * database_backup_* series the alert rules (runbooks/monitoring/disaster-recovery.rules.yml) read
 * is among those pushed, so the alerts and the backup agree on metric names.
 */
interface Push {
  readonly method: string;
  readonly path: string;
  readonly body: string;
}

const runMs = 120_000;
const owner = serverOwner();
const pushes: Push[] = [];
let gateway: Server | undefined;
let gatewayUrl = '';
let dir = '';
let cluster: PgCluster | undefined;
let library: { root: string; remove: () => void } | undefined;

beforeAll(async () => {
  if (noPostgres) return;
  library = libraryRoot();
  dir = mkdtempSync(join(tmpdir(), 'runbook-pushgateway-'));
  mkdirSync(join(dir, 'archive'), { mode: 0o700 });
  if (owner) chownSync(join(dir, 'archive'), owner.uid, owner.gid);
  gateway = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      pushes.push({ method: req.method ?? '', path: req.url ?? '', body });
      res.end();
    });
  });
  await new Promise<void>((resolve) => gateway!.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  cluster = await startPostgres({
    dir,
    timeoutMs: clusterTimeoutMs,
    settings: [
      'archive_mode = on',
      `archive_command = 'test ! -f ${join(dir, 'archive')}/%f && cp %p ${join(dir, 'archive')}/%f'`,
      'archive_timeout = 300',
    ],
  });
}, clusterTimeoutMs + 10_000);

afterAll(async () => {
  gateway?.closeAllConnections();
  await new Promise((resolve) => (gateway ? gateway.close(resolve) : resolve(undefined)));
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  library?.remove();
}, 60_000);

/** Runs postgres-base-backup with the stand-in Pushgateway; returns what it pushed during the run. */
async function backup(extra: Record<string, string>) {
  const before = pushes.length;
  const startedS = Math.floor(Date.now() / 1000);
  const values = { backup_dir: join(dir, 'backups'), min_free_gb: '0', pushgateway_url: gatewayUrl, ...extra };
  const r = await runCliAsync(
    [
      'run',
      'postgres-base-backup',
      '--root',
      library!.root,
      ...Object.entries(values).flatMap(([k, v]) => ['--input', `${k}=${v}`]),
    ],
    { PRIMARY_DATABASE_URL: cluster!.primaryUrl },
    runMs,
  );
  return { ...r, startedS, endedS: Math.ceil(Date.now() / 1000), pushed: pushes.slice(before) };
}

/** `name value` lines of the text exposition format, as a map. */
const samples = (body: string) =>
  new Map(
    body
      .trim()
      .split('\n')
      .map((line) => line.split(' ') as [string, string]),
  );

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'postgres-base-backup pushes what the backup alerts read', () => {
  it(
    'a successful backup pushes duration, size, success and the success time; a failed one its failure time',
    async () => {
      const ok = await backup({});
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      expect(ok.pushed.map((p) => `${p.method} ${p.path}`)).toEqual(['POST /metrics/job/database_backup']);
      const pushed = samples(ok.pushed[0].body);
      expect([...pushed.keys()]).toEqual([
        'database_backup_duration_seconds',
        'database_backup_size_bytes',
        'database_backup_success_total',
        'database_backup_last_success_timestamp_seconds',
      ]);
      const outputs = stepEndsOf(library!.root, ok.stdout)['base-backup'].outputs ?? {};
      expect(pushed.get('database_backup_size_bytes')).toBe(String(outputs.size_bytes));
      const successAt = Number(pushed.get('database_backup_last_success_timestamp_seconds'));
      expect(successAt).toBeGreaterThanOrEqual(ok.startedS);
      expect(successAt).toBeLessThanOrEqual(ok.endedS);

      // More free space than any disk has: check-prerequisites fails, the finally step reports it.
      const failed = await backup({ min_free_gb: '999999999' });
      expect(failed.status).not.toBe(0);
      expect(stepEndsOf(library!.root, failed.stdout)['check-prerequisites'].status).toBe('failed');
      expect(failed.pushed.map((p) => `${p.method} ${p.path}`)).toEqual(['POST /metrics/job/database_backup']);
      const failure = samples(failed.pushed[0].body);
      expect([...failure.keys()]).toEqual(['database_backup_last_failure_timestamp_seconds']);
      expect(Number(failure.get('database_backup_last_failure_timestamp_seconds'))).toBeGreaterThan(successAt - 1);

      const rules = readFileSync(join(repo, 'runbooks/monitoring/disaster-recovery.rules.yml'), 'utf8');
      const read = new Set(rules.match(/\bdatabase_backup_\w+/g));
      expect(read.size).toBeGreaterThan(0);
      const names = new Set([...pushed.keys(), ...failure.keys()]);
      expect([...read].filter((name) => !names.has(name))).toEqual([]);
    },
    runMs * 2 + 30_000,
  );
});
