import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCliAsync, runIdOf } from '../../../support/cli.js';
import { libraryRoot } from '../../../support/library-root.js';
import { motoUnavailable, startMoto, type MotoServer } from '../../../support/moto.js';

/**
 * The S3 runbooks of the library run for real, unchanged, against moto: their shell steps call
 * the AWS CLI, which AWS_ENDPOINT_URL sends to moto. Needs an `aws` on PATH recent enough to honour
 * it (see awsCliUnusable); skipped with the reason otherwise, and the dry-run test
 * (library-aws-storage-dry-run.test.ts) still covers the plans.
 *
 * moto 4.2.14 limits met here (not runbook bugs): objects cannot be aged (LastModified is the
 * upload time), so the retention thresholds are passed as -1 / 0 days to put every backup past
 * (or before) a threshold; moto accepts any lifecycle StorageClass (so the GLACIER spelling is
 * checked by the dry-run test's policy parse, not here) and stores only part of a replication
 * rule (no ReplicationTime, Metrics or StorageClass on read-back).
 */
/**
 * Why the installed AWS CLI cannot be used, or undefined. It must honour AWS_ENDPOINT_URL (AWS CLI
 * v1 on botocore >= 1.31, v2 >= 2.13: "Service-specific endpoints", AWS SDKs and Tools reference):
 * an older one would ignore it and send the runbooks' calls to AWS itself instead of loopback.
 */
function awsCliUnusable(): string | undefined {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return 'no aws CLI on PATH';
  const out = `${r.stdout} ${r.stderr}`;
  const v2 = /aws-cli\/2\.(\d+)\./.exec(out);
  const botocore = /botocore\/1\.(\d+)\./.exec(out);
  if (v2 ? Number(v2[1]) >= 13 : botocore !== null && Number(botocore[1]) >= 31) return undefined;
  return `the aws CLI (${out.trim().split(/\s+/)[0]}) ignores AWS_ENDPOINT_URL`;
}
const skip = motoUnavailable ?? awsCliUnusable();

describe.skipIf(skip)(`S3 storage runbooks against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let moto: MotoServer;
  let files: string;
  let lib: ReturnType<typeof libraryRoot>;

  beforeAll(async () => {
    lib = libraryRoot();
    moto = await startMoto();
    files = mkdtempSync(join(tmpdir(), 'runbook-s3-files-'));
  });
  afterAll(async () => {
    await moto?.stop();
    rmSync(files, { recursive: true, force: true });
    lib?.remove();
  });
  beforeEach(async () => moto.reset());

  function aws(...args: string[]): string {
    const r = spawnSync('aws', args, { env: { ...process.env, ...moto.env() }, encoding: 'utf8' });
    expect(r.status, `aws ${args.join(' ')}\n${r.stderr}\n${moto.log()}`).toBe(0);
    return r.stdout;
  }
  const json = (...args: string[]) => JSON.parse(aws(...args, '--output', 'json')) as Record<string, unknown>;
  const bucket = (name: string, region = 'us-east-1') =>
    region === 'us-east-1'
      ? aws('s3api', 'create-bucket', '--bucket', name)
      : aws(
          's3api',
          'create-bucket',
          '--bucket',
          name,
          '--region',
          region,
          '--create-bucket-configuration',
          `LocationConstraint=${region}`,
        );
  function put(b: string, key: string, body: string, ...extra: string[]) {
    const file = join(files, 'body');
    writeFileSync(file, body);
    aws('s3api', 'put-object', '--bucket', b, '--key', key, '--body', file, ...extra);
  }
  const keys = (b: string, prefix = '') =>
    (
      (json('s3api', 'list-objects-v2', '--bucket', b, '--prefix', prefix).Contents ?? []) as {
        Key: string;
        StorageClass: string;
      }[]
    )
      .map((o) => `${o.Key} ${o.StorageClass}`)
      .sort();

  async function run(name: string, inputs: string[]) {
    const args = ['run', name, '--as', '@ops', '--root', lib.root, ...inputs.flatMap((i) => ['--input', i])];
    const r = await runCliAsync(args, moto.env(), 420_000);
    return { ...r, runId: /^run id: /m.test(r.stdout) ? runIdOf(r.stdout) : undefined };
  }

  it(
    's3-backup-buckets (ecommerce): versioning, encryption, lifecycle and replication as read back from S3',
    { timeout: 900_000 },
    async () => {
      for (const b of ['ecommerce-backups-prod-us-east-1', 'ecommerce-config-prod', 'ecommerce-application-data'])
        bucket(b);
      bucket('ecommerce-backups-prod-us-west-2', 'us-west-2');
      const r = await run('s3-backup-buckets', []);
      expect(r.status, r.stderr).toBe(0);
      for (const b of ['ecommerce-backups-prod-us-east-1', 'ecommerce-config-prod', 'ecommerce-backups-prod-us-west-2'])
        expect(json('s3api', 'get-bucket-versioning', '--bucket', b).Status).toBe('Enabled');
      const lifecycle = json(
        's3api',
        'get-bucket-lifecycle-configuration',
        '--bucket',
        'ecommerce-backups-prod-us-east-1',
      );
      const rules = lifecycle.Rules as {
        ID: string;
        Transitions?: { Days: number; StorageClass: string }[];
        Expiration?: { Days: number };
      }[];
      expect(rules.map((x) => x.ID)).toEqual([
        'database-backup-lifecycle',
        'redis-snapshot-lifecycle',
        'config-backup-lifecycle',
        'application-logs-lifecycle',
        'version-lifecycle',
      ]);
      expect(rules[0].Transitions?.map((t) => `${t.Days}:${t.StorageClass}`)).toEqual([
        '30:INTELLIGENT_TIERING',
        '90:GLACIER',
        '365:DEEP_ARCHIVE',
      ]);
      expect(rules[0].Expiration?.Days).toBe(2555);
      const replication = json('s3api', 'get-bucket-replication', '--bucket', 'ecommerce-backups-prod-us-east-1');
      expect(replication.ReplicationConfiguration).toMatchObject({
        Rules: [
          { ID: 'replicate-all-objects', Destination: { Bucket: 'arn:aws:s3:::ecommerce-backups-prod-us-west-2' } },
        ],
      });
      const encryption = json('s3api', 'get-bucket-encryption', '--bucket', 'ecommerce-backups-prod-us-west-2');
      expect(JSON.stringify(encryption)).toContain('AES256');
    },
  );

  it(
    's3-backup-retention (after s3-backup-buckets, estate platform): archives to GLACIER keeping the newest, prunes',
    { timeout: 900_000 },
    async () => {
      bucket('platform-db-backups');
      bucket('platform-db-backups-archive');
      bucket('platform-backups-dr', 'us-west-2');
      // Without the cold rule the retention refuses to run.
      const refused = await run('s3-backup-retention', []);
      expect(refused.status).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain('cold tier not enforced');
      const setup = await run('s3-backup-buckets', ['estate=platform']);
      expect(setup.status, setup.stderr).toBe(0);

      put('platform-db-backups', 'full/20261101_020000/base.tar.gz', 'b1');
      put('platform-db-backups', 'full/20261101_020000/metadata.json', '{}');
      put('platform-db-backups', 'full/20261102_020000/base.tar.gz', 'b2');
      put('platform-db-backups', 'incremental/20261102_080000/wal.tar.gz', 'i1');
      put('platform-db-backups', 'wal/000000010000000000000001', 'w1');
      // The newest backup must be newer by LastModified (second resolution): wait for the clock.
      const last = Date.parse(
        String(
          json('s3api', 'head-object', '--bucket', 'platform-db-backups', '--key', 'full/20261102_020000/base.tar.gz')
            .LastModified,
        ),
      );
      await vi.waitUntil(() => Date.now() >= last + 1000, { timeout: 10_000, interval: 50 });
      put('platform-db-backups', 'full/20261103_020000/base.tar.gz', 'b3');

      // Every backup is 0 days old: cold -1 puts them all past cold, wal 0 keeps WAL, incremental -1 prunes.
      const first = await run('s3-backup-retention', [
        'cold_days=-1',
        'archive_days=0',
        'incremental_days=-1',
        'wal_days=0',
      ]);
      expect(first.status, first.stderr).toBe(0);
      expect(keys('platform-db-backups')).toEqual([
        'full/20261103_020000/base.tar.gz STANDARD',
        'wal/000000010000000000000001 STANDARD',
      ]);
      expect(keys('platform-db-backups-archive')).toEqual([
        '20261101_020000/base.tar.gz GLACIER',
        '20261101_020000/metadata.json GLACIER',
        '20261102_020000/base.tar.gz GLACIER',
      ]);

      // Past the archive period: the archive is emptied, the newest full backup still kept.
      const second = await run('s3-backup-retention', ['cold_days=-1', 'archive_days=-1', 'wal_days=-1']);
      expect(second.status, second.stderr).toBe(0);
      expect(keys('platform-db-backups-archive')).toEqual([]);
      expect(keys('platform-db-backups')).toEqual(['full/20261103_020000/base.tar.gz STANDARD']);
    },
  );

  it(
    's3-backup-checksums: matching md5s pass and one object is verified end to end; a tampered md5 fails',
    { timeout: 900_000 },
    async () => {
      const b = 'ecommerce-backups-prod-us-east-1';
      bucket(b);
      const md5 = (s: string) => createHash('md5').update(s).digest('hex');
      put(b, 'rds-snapshots/2026/12/01/snapshot.sql.gz', 'dump one', '--metadata', `md5=${md5('dump one')}`);
      put(
        b,
        'rds-snapshots/2026/12/02/snapshot.sql.gz',
        'dump two',
        '--metadata',
        `md5=${md5('dump two')}`,
        '--checksum-algorithm',
        'SHA256',
      );
      const ok = await run('s3-backup-checksums', []);
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout + ok.stderr).toMatch(/2 matched, 0 mismatched/);

      put(b, 'rds-snapshots/2026/12/03/snapshot.sql.gz', 'dump three', '--metadata', `md5=${md5('something else')}`);
      const bad = await run('s3-backup-checksums', []);
      expect(bad.status).not.toBe(0);
      expect(bad.stdout + bad.stderr).toContain('MISMATCH: rds-snapshots/2026/12/03/snapshot.sql.gz');

      // An empty prefix verifies nothing: it fails instead of passing.
      const empty = await run('s3-backup-checksums', ['prefix=nothing-here/']);
      expect(empty.status).not.toBe(0);
      expect(empty.stdout + empty.stderr).toContain('no objects under');
    },
  );
});
