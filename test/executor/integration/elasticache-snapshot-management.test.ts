import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, stepEndsOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';

/**
 * The library's elasticache-snapshot-management (003:1460-1563) through the built CLI. ElastiCache
 * is not in the AWS emulator's reach for these calls (snapshot export to S3), so the `aws` CLI is a
 * PATH stub answering as ElastiCache and S3 would; everything else is real: bash, GNU date and
 * grep -P run the seed's cleanup logic (cutoff date, "archived in S3 first"), and the test reads
 * which AWS calls it made.
 */
let dir = '';
let library: { root: string; remove: () => void } | undefined;
const today = new Date().toISOString().slice(0, 10);
const OLD_ARCHIVED = 'ecommerce-redis-manual-2020-01-01-pre-upgrade';
const OLD_UNARCHIVED = 'ecommerce-redis-manual-2020-01-02-debug';
const RECENT = `ecommerce-redis-manual-${today}-release`;

beforeAll(() => {
  library = libraryRoot();
  dir = mkdtempSync(join(tmpdir(), 'runbook-elasticache-'));
  mkdirSync(join(dir, 'bin'));
  const log = join(dir, 'aws-calls');
  writeFileSync(
    join(dir, 'bin', 'aws'),
    `#!/usr/bin/env bash
echo "aws $*" >> ${JSON.stringify(log)}
args=" $* "
case "$args" in
  *" describe-replication-groups "*) printf '7\\t04:00-05:00\\n' ;;
  *" describe-snapshots "*"--snapshot-source user"*) echo "${OLD_ARCHIVED} ${OLD_UNARCHIVED} ${RECENT}" ;;
  *" describe-snapshots "*"sort_by"*) echo ecommerce-redis-auto-${today} ;;
  *" describe-snapshots "*SnapshotStatus*) echo available ;;
  *" s3 ls "*"redis-snapshots/2020-01-01/${OLD_ARCHIVED}"*) echo "2020-01-01 04:10:00 1024 ${OLD_ARCHIVED}" ;;
  *" s3 ls "*"-dr-0001.rdb"*) echo "${today} 04:30:00 2048 ecommerce-redis-auto-${today}-dr-0001.rdb" ;;
  *" s3 ls "*) exit 1 ;;
  *) echo '{}' ;;
esac
`,
  );
  chmodSync(join(dir, 'bin', 'aws'), 0o755);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  library?.remove();
});

const calls = () =>
  existsSync(join(dir, 'aws-calls')) ? readFileSync(join(dir, 'aws-calls'), 'utf8').split('\n').filter(Boolean) : [];

describe('elasticache-snapshot-management (aws CLI stubbed, shell logic for real)', () => {
  it('deletes only archived manual snapshots past 30 days, then exports the latest and copies it to us-west-2', async () => {
    const env = { PATH: `${join(dir, 'bin')}${delimiter}${process.env.PATH ?? ''}` };
    const r = await runCliAsync(['run', 'elasticache-snapshot-management', '--root', library!.root], env, 60_000);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const ends = stepEndsOf(library!.root, r.stdout);
    expect(ends['check-automated-retention'].status).toBe('succeeded');
    expect(ends['cleanup-manual-snapshots'].outputs).toMatchObject({ deleted: '1', kept_unarchived: '1' });

    const deletes = calls().filter((l) => l.includes('delete-snapshot'));
    expect(deletes).toEqual([`aws elasticache delete-snapshot --region us-east-1 --snapshot-name ${OLD_ARCHIVED}`]);
    // The seed's listing fixed for the current CLI: the group by id, manual snapshots as source "user".
    expect(calls()).toContainEqual(
      expect.stringContaining('--replication-group-id ecommerce-redis-cluster --snapshot-source user'),
    );

    const latest = `ecommerce-redis-auto-${today}`;
    expect(calls()).toContain(
      `aws elasticache copy-snapshot --region us-east-1 --source-snapshot-name ${latest} --target-snapshot-name ${latest}-dr --target-bucket ecommerce-backups-prod-us-east-1`,
    );
    const copy = calls().find((l) => l.startsWith('aws s3 cp'));
    expect(copy).toContain(`s3://ecommerce-backups-prod-us-west-2/redis-snapshots/${latest}-dr-0001.rdb`);
    expect(copy).toContain('--sse-kms-key-id arn:aws:kms:us-west-2:123456789012:key/backup-key');
    expect(calls().some((l) => l.includes('--source-region') && l.includes('copy-snapshot'))).toBe(false);
  }, 90_000);
});
