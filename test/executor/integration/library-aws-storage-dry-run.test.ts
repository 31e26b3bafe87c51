import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { bin, cliEnv, runIdOf } from '../../support/cli.js';
import { libraryRoot } from '../../support/library-root.js';

/**
 * The AWS storage runbooks of the library (S3 buckets, S3 retention, S3 checksums, RDS manual
 * snapshot + export, AWS Backup plans) through the built CLI. Their shell steps call the AWS CLI,
 * which cannot reach AWS here: `runbook plan --json` gives the rendered plan (steps, order,
 * scripts, action calls) and `runbook run --dry-run` walks it. The policy documents embedded in the
 * scripts are parsed as JSON and compared with the seeds' values (cited per assertion).
 */
const { root, remove } = libraryRoot();
afterAll(remove);

interface PlanStep {
  id: string;
  uses: string;
  wave: number;
  timeoutMs: number;
  plan?: { calls: { operation: string; target: string; args: Record<string, unknown> }[] };
}
interface Plan {
  phases: { id: string; budgetMs: number; steps: PlanStep[] }[];
}

function cli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args, '--root', root], { env: cliEnv(), encoding: 'utf8' });
}

function plan(name: string, inputs: string[] = []): Plan {
  const r = cli(['plan', name, '--json', '--dry-run', ...inputs.flatMap((i) => ['--input', i])]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Plan;
}

const steps = (p: Plan) => p.phases.flatMap((ph) => ph.steps);
const step = (p: Plan, id: string) => steps(p).find((s) => s.id === id)!;
const script = (p: Plan, id: string) => String(step(p, id).plan!.calls[0].args.script);

/** The JSON written by `cat > <file> <<['"]EOF['"]` in a script, with `$NAME`s replaced by `vars`. */
function heredoc(text: string, file: string, vars: Record<string, string> = {}): unknown {
  const m = new RegExp(`cat > ${file.replace('.', '\\.')} <<'?EOF'?\\n([\\s\\S]*?)\\nEOF`).exec(text);
  expect(m, `no heredoc for ${file}`).not.toBeNull();
  return JSON.parse(m![1].replace(/\$([A-Z_]+)/g, (_, v: string) => vars[v] ?? `$${v}`));
}

/** A dry run through the CLI: exit 0, and the steps that started, in journal order. */
function dryRun(name: string, inputs: string[] = []): { started: string[]; skipped: string[] } {
  const r = cli(['run', name, '--dry-run', '--as', '@dry-run', ...inputs.flatMap((i) => ['--input', i])]);
  expect(r.status, r.stderr).toBe(0);
  const audit = join(root, '.runbook', 'runs', runIdOf(r.stdout), 'audit.jsonl');
  const records = parseAuditText(readFileSync(audit, 'utf8')).records;
  const ends = records.filter((x) => x.type === 'step:end');
  const status = (id: string) => (ends.find((x) => x.stepId === id)?.data as { status: string }).status;
  const ids = ends.map((x) => x.stepId!);
  return {
    started: ids.filter((id) => status(id) === 'succeeded'),
    skipped: ids.filter((id) => status(id) === 'skipped'),
  };
}

describe('s3-backup-buckets (B11)', () => {
  it('versioning, encryption, lifecycle, replication, alarms, read-back: in that order', () => {
    const p = plan('s3-backup-buckets');
    expect(p.phases.map((ph) => ph.id)).toEqual(['versioning', 'encryption', 'lifecycle', 'replication', 'verify']);
    expect(dryRun('s3-backup-buckets').started).toEqual([
      'enable-versioning',
      'default-encryption',
      'lifecycle-rules',
      'put-replication',
      'replication-alarms',
      'read-back',
    ]);
    const versioning = script(p, 'enable-versioning');
    // 003:1890-1894, the three buckets; the DR bucket too (replication needs it).
    expect(versioning).toContain(
      'SOURCES="ecommerce-backups-prod-us-east-1 ecommerce-config-prod ecommerce-application-data"',
    );
    expect(versioning).toContain('--versioning-configuration Status=Enabled');
    expect(versioning).toContain('DR=ecommerce-backups-prod-us-west-2');
    expect(script(p, 'default-encryption')).toContain('"SSEAlgorithm":"AES256"');
  });

  it('the lifecycle is 003:281-404 + 1910-1932 as one configuration, GLACIER spelled as the API wants', () => {
    const s = script(plan('s3-backup-buckets'), 'lifecycle-rules');
    const { Rules } = heredoc(s.slice(0, s.indexOf('else')), 'lifecycle.json') as {
      Rules: { ID: string; Filter: { Prefix?: string }; Transitions?: unknown[]; Expiration?: { Days: number } }[];
    };
    expect(JSON.stringify(Rules)).not.toContain('GLACIER_FLEXIBLE_RETRIEVAL');
    expect(Rules.map((r) => [r.ID, r.Filter.Prefix ?? '*', r.Expiration?.Days])).toEqual([
      ['database-backup-lifecycle', 'rds-snapshots/', 2555],
      ['redis-snapshot-lifecycle', 'redis-snapshots/', 90],
      ['config-backup-lifecycle', 'k8s-config/', 365],
      ['application-logs-lifecycle', 'logs/', 2555],
      ['version-lifecycle', '*', undefined],
    ]);
    expect(Rules[0]).toMatchObject({
      Transitions: [
        { Days: 30, StorageClass: 'INTELLIGENT_TIERING' },
        { Days: 90, StorageClass: 'GLACIER' },
        { Days: 365, StorageClass: 'DEEP_ARCHIVE' },
      ],
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
    });
    expect(Rules[1].Transitions).toEqual([
      { Days: 7, StorageClass: 'INTELLIGENT_TIERING' },
      { Days: 30, StorageClass: 'GLACIER' },
    ]);
    expect(Rules[4]).toMatchObject({
      NoncurrentVersionTransitions: [
        { NoncurrentDays: 30, StorageClass: 'INTELLIGENT_TIERING' },
        { NoncurrentDays: 90, StorageClass: 'GLACIER' },
      ],
      NoncurrentVersionExpiration: { NoncurrentDays: 365 },
    });
    // 001:736-753, the platform estate.
    const platform = heredoc(s.slice(s.indexOf('else')), 'lifecycle.json') as { Rules: unknown[] };
    expect(platform.Rules).toEqual([
      expect.objectContaining({ ID: 'transition-to-ia', Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }] }),
      expect.objectContaining({ ID: 'transition-to-glacier', Transitions: [{ Days: 90, StorageClass: 'GLACIER' }] }),
      expect.objectContaining({ ID: 'expire-old-versions', NoncurrentVersionExpiration: { NoncurrentDays: 180 } }),
    ]);
  });

  it('replication: RTC 15 min, INTELLIGENT_TIERING, no delete markers (003:1946-1980); alarms at 30 min', () => {
    const p = plan('s3-backup-buckets');
    const s = script(p, 'put-replication');
    const ecommerce = heredoc(s.slice(0, s.indexOf('platform)')), 'replication-config.json', {
      ACCOUNT: '123456789012',
      DR_REGION: 'us-west-2',
    }) as { Role: string; Rules: Record<string, unknown>[] };
    expect(ecommerce.Role).toBe('arn:aws:iam::123456789012:role/s3-replication-role');
    expect(ecommerce.Rules[0]).toMatchObject({
      ID: 'replicate-all-objects',
      Filter: {},
      DeleteMarkerReplication: { Status: 'Disabled' },
      Destination: {
        Bucket: 'arn:aws:s3:::ecommerce-backups-prod-us-west-2',
        ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
        Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
        StorageClass: 'INTELLIGENT_TIERING',
        EncryptionConfiguration: { ReplicaKmsKeyID: 'arn:aws:kms:us-west-2:123456789012:key/backup-key' },
      },
    });
    // 004:108-125.
    const critical = heredoc(s.slice(s.indexOf('critical-data)')), 'replication-config.json', {
      ACCOUNT: '123456789012',
    }) as { Rules: Record<string, unknown>[] };
    expect(critical.Rules[0]).toMatchObject({
      ID: 'ReplicateToWest',
      Filter: { Prefix: 'critical-data/' },
      Destination: { Bucket: 'arn:aws:s3:::backup-bucket-west', StorageClass: 'STANDARD_IA' },
    });
    const alarms = script(p, 'replication-alarms');
    expect(alarms).toMatch(/--metric-name ReplicationLatency [\s\S]*--threshold 1800/); // 003:441, > 30 min
    expect(alarms).toMatch(/--metric-name OperationsFailedReplication [\s\S]*--threshold 0 /); // 003:442, any
  });

  it('the critical-data estate has no lifecycle and no alarms of 003', () => {
    const run = dryRun('s3-backup-buckets', ['estate=critical-data', 'source_bucket=critical-bucket']);
    expect(run.skipped).toEqual(['lifecycle-rules', 'replication-alarms']);
  });
});

describe('s3-backup-retention (B6)', () => {
  it('checks the cold rule, archives past 90 days to Glacier, then prunes at 7 years / 30 / 7 days', () => {
    const p = plan('s3-backup-retention');
    expect(dryRun('s3-backup-retention').started).toEqual([
      'check-cold-rule',
      'archive-full',
      'prune-archive',
      'prune-incremental-and-wal',
    ]);
    const archive = script(p, 'archive-full');
    expect(archive).toContain('"s3://$BUCKET/full/$name/" "s3://$ARCHIVE/$name/" --storage-class GLACIER'); // 001:492-494
    // The originals go only after the archive copy was counted.
    expect(archive.indexOf('[ "$dst" -ge "$src" ]')).toBeLessThan(archive.indexOf('aws s3 rm'));
    expect(archive).toContain('[ "$name" != "$newest" ]');
    const r = cli(['plan', 's3-backup-retention', '--json']);
    const inputs = (JSON.parse(r.stdout) as { inputs: Record<string, unknown> }).inputs;
    // 001:1491-1500 and 003:3476-3478.
    expect(inputs).toMatchObject({
      bucket: 'platform-db-backups',
      archive_bucket: 'platform-db-backups-archive',
      hot_days: 30,
      cold_days: 90,
      archive_days: 2555,
      incremental_days: 30,
      wal_days: 7,
    });
  });
});

describe('s3-backup-checksums (V4)', () => {
  it('lists ETag/size/md5 under rds-snapshots/, then verifies one object with --checksum-mode ENABLED', () => {
    const p = plan('s3-backup-checksums');
    expect(dryRun('s3-backup-checksums').started).toEqual(['calculate-checksums', 'verify-object']);
    expect(script(p, 'calculate-checksums')).toContain("--query 'Contents[*].[Key,ETag,Size]' --output text");
    const verify = script(p, 'verify-object');
    expect(verify).toMatch(/get-object [^\n]*--checksum-mode ENABLED/);
    expect(verify).toContain('has no checksum to verify against');
  });
});

describe('rds-manual-snapshot-export (B3)', () => {
  it('snapshot, list, copy to us-west-2, export to rds-snapshots/, monitor: the seed values rendered', () => {
    const p = plan('rds-manual-snapshot-export');
    expect(dryRun('rds-manual-snapshot-export').started).toEqual([
      'name',
      'create-snapshot',
      'list-snapshots',
      'copy-to-dr',
      'start-export',
      'monitor-export',
    ]);
    expect(step(p, 'create-snapshot').plan!.calls[0]).toMatchObject({
      target: 'aws:rds:us-east-1',
      operation: 'CreateDBSnapshot',
      args: { DBInstanceIdentifier: 'ecommerce-prod-db' },
    });
    const copy = step(p, 'copy-to-dr').plan!.calls.find((c) => c.operation === 'CopyDBSnapshot')!;
    expect(copy).toMatchObject({ target: 'aws:rds:us-west-2', args: { KmsKeyId: 'alias/ecommerce-backup-key' } });
    expect(script(p, 'name')).toContain('echo "snapshot_id=$DB-$CHANGE-$today"');
    const exp = script(p, 'start-export');
    for (const flag of [
      '--export-task-identifier',
      '--source-arn',
      '--s3-bucket-name',
      '--s3-prefix',
      '--iam-role-arn',
    ])
      expect(exp).toContain(flag);
    expect(script(p, 'monitor-export')).toContain('FAILED|CANCELED|CANCELING) exit 1');
    expect(step(p, 'monitor-export').timeoutMs).toBe(6 * 3600_000);
  });

  it('export=false takes the snapshot and its DR copy only', () => {
    expect(dryRun('rds-manual-snapshot-export', ['export=false']).skipped).toEqual(['start-export', 'monitor-export']);
  });
});

describe('aws-backup-global-plan (B2)', () => {
  it('vaults, plan, selection, read-back; the plan JSON holds 000:45-83', () => {
    const p = plan('aws-backup-global-plan');
    expect(dryRun('aws-backup-global-plan').started).toEqual([
      'create-vaults',
      'put-plan',
      'put-selection',
      'read-back',
    ]);
    const doc = heredoc(script(p, 'put-plan'), 'plan.json', { DR_REGION: 'us-west-2', ACCOUNT: '123456789012' }) as {
      BackupPlanName: string;
      Rules: Record<string, unknown>[];
    };
    expect(doc.BackupPlanName).toBe('voltage-soda-global-backup-plan');
    expect(doc.Rules).toEqual([
      expect.objectContaining({
        RuleName: 'daily-backup',
        ScheduleExpression: 'cron(0 2 * * ? *)',
        StartWindowMinutes: 60,
        CompletionWindowMinutes: 180,
        Lifecycle: { MoveToColdStorageAfterDays: 30, DeleteAfterDays: 2555 },
        CopyActions: [
          {
            DestinationBackupVaultArn:
              'arn:aws:backup:us-west-2:123456789012:backup-vault:voltage-soda-backup-vault-us-west',
            Lifecycle: { MoveToColdStorageAfterDays: 7, DeleteAfterDays: 365 },
          },
        ],
      }),
      expect.objectContaining({
        RuleName: 'hourly-backup',
        ScheduleExpression: 'cron(0 * * * ? *)',
        StartWindowMinutes: 30,
        CompletionWindowMinutes: 120,
        Lifecycle: { DeleteAfterDays: 30 },
      }),
    ]);
    const selection = script(p, 'put-selection');
    expect(selection).toContain('aws:ResourceTag/BackupEnabled');
    // The new selection exists before the old one is deleted.
    expect(selection.indexOf('create-backup-selection')).toBeLessThan(selection.indexOf('delete-backup-selection'));
  });
});

describe('efs-backup-plan (B12)', () => {
  it('vault, plan (05:00 UTC, 30 days), EFS selection, read-back', () => {
    const p = plan('efs-backup-plan');
    expect(dryRun('efs-backup-plan').started).toEqual(['create-vault', 'put-plan', 'assign-efs', 'read-back']);
    const doc = heredoc(script(p, 'put-plan'), 'efs-backup-plan.json') as { Rules: Record<string, unknown>[] };
    expect(doc.Rules).toEqual([
      {
        RuleName: 'daily-backup',
        TargetBackupVaultName: 'ecommerce-backup-vault',
        ScheduleExpression: 'cron(0 5 * * ? *)',
        StartWindowMinutes: 60,
        CompletionWindowMinutes: 120,
        Lifecycle: { DeleteAfterDays: 30 },
        RecoveryPointTags: { Environment: 'production', BackupType: 'automated' },
      },
    ]);
    expect(script(p, 'create-vault')).not.toContain('|| true');
    expect(script(p, 'assign-efs')).toContain('file-system/$EFS_ID');
  });
});
