import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../executor/audit/file-sink.js';
import { runCliAsync, runIdOf, stepEndsOf } from '../support/cli.js';
import { libraryRoot } from '../support/library-root.js';

/**
 * backup-cloudwatch-alarms (003:3283-3442) needs the AWS CLI and an account: a dry run through the
 * built CLI checks the plan (steps, order, the commands rendered), then a real run with a stand-in
 * `aws` first on PATH (it records its arguments and answers describe-alarms) checks each
 * put-metric-alarm the seed asks for, argument by argument: metric, statistic, window, threshold,
 * comparison, missing data, actions.
 */
const { root, remove } = libraryRoot();
const stubDir = mkdtempSync(join(tmpdir(), 'runbook-aws-stub-'));
const callLog = join(stubDir, 'calls');
/** The one input without a default (the replication rule's id). */
const rule = ['--input', 'replication_rule_id=backups-to-dr'];
afterAll(() => {
  remove();
  rmSync(stubDir, { recursive: true, force: true });
});

// One call per block: "@@call", then each argument on its own line. describe-alarms answers with
// as many of the seven alarms as the file `found` says (all without it), as `--output text` would.
writeFileSync(
  join(stubDir, 'aws'),
  `#!/bin/bash
{ echo @@call; printf '%s\\n' "$@"; } >> '${callLog}'
if [ "$2" = describe-alarms ]; then
  printf 'RDS Backup Failure\\tOK\\nRDS Snapshot Age\\tOK\\nCross-Region Replication Failure\\tOK\\nRedis Snapshot Failure\\tOK\\nBackup Verification Failure\\tOK\\nS3 Upload Failure\\tOK\\nBackup Duration Increase\\tOK\\n' | head -n "$(cat '${join(stubDir, 'found')}' 2>/dev/null || echo 7)"
fi
`,
);
chmodSync(join(stubDir, 'aws'), 0o755);

const steps = [
  'rds-backup-failure',
  'rds-snapshot-age',
  'cross-region-replication-failure',
  'redis-snapshot-failure',
  'backup-verification-failure',
  's3-upload-failure',
  'backup-duration-increase',
  'describe-alarms',
];

function calls(): string[][] {
  if (!existsSync(callLog)) return [];
  return readFileSync(callLog, 'utf8')
    .split('@@call\n')
    .filter(Boolean)
    .map((block) => block.replace(/\n$/, '').split('\n'));
}

async function run(extra: string[], found = 7) {
  rmSync(callLog, { force: true });
  writeFileSync(join(stubDir, 'found'), String(found));
  const args = ['run', 'backup-cloudwatch-alarms', '--root', root, '--as', '@sre'];
  return runCliAsync([...args, ...rule, ...extra], {
    PATH: `${stubDir}:${process.env.PATH ?? ''}`,
  });
}

/** The value after `flag` in one call's arguments (every value when a flag takes several). */
function option(args: string[], flag: string): string[] {
  const at = args.indexOf(flag);
  if (at < 0) return [];
  const end = args.findIndex((a, i) => i > at && a.startsWith('--'));
  return args.slice(at + 1, end < 0 ? undefined : end);
}

const topic = (name: string) => `arn:aws:sns:us-east-1:123456789012:${name}`;
const pagerduty = 'arn:aws:sns:us-east-1:123456789012:pagerduty-high';

/** The seed's alarms: name -> the options put-metric-alarm must get. */
const expected: Record<string, Record<string, string[]>> = {
  'RDS Backup Failure': {
    '--metric-name': ['backup.rds.snapshot.created'],
    '--namespace': ['Backup'],
    '--dimensions': ['Name=Environment,Value=production', 'Name=SnapshotType,Value=automated'],
    '--statistic': ['Sum'],
    '--period': ['3600'],
    '--evaluation-periods': ['1'],
    '--threshold': ['0'],
    '--comparison-operator': ['LessThanOrEqualToThreshold'],
    '--treat-missing-data': ['notBreaching'],
    '--alarm-actions': [topic('critical-alerts'), pagerduty],
  },
  'RDS Snapshot Age': {
    '--metric-name': ['backup.rds.snapshot.created'],
    '--period': ['86400'],
    '--threshold': ['0'],
    '--treat-missing-data': ['breaching'],
    '--alarm-actions': [topic('critical-alerts'), pagerduty],
  },
  'Cross-Region Replication Failure': {
    '--namespace': ['AWS/S3'],
    '--metric-name': ['ReplicationLatency'],
    '--dimensions': [
      'Name=SourceBucket,Value=ecommerce-backups-prod-us-east-1',
      'Name=DestinationBucket,Value=ecommerce-backups-prod-us-west-2',
      'Name=RuleId,Value=backups-to-dr',
    ],
    '--statistic': ['Maximum'],
    '--threshold': ['3600'],
    '--comparison-operator': ['GreaterThanThreshold'],
    '--alarm-actions': [topic('critical-alerts'), pagerduty],
  },
  'Redis Snapshot Failure': {
    '--metric-name': ['backup.redis.snapshot.created'],
    '--dimensions': ['Name=Environment,Value=production', 'Name=ClusterId,Value=ecommerce-redis-cluster'],
    '--period': ['7200'],
    '--threshold': ['0'],
    '--treat-missing-data': ['breaching'],
    '--alarm-actions': [topic('warning-alerts')],
  },
  'Backup Verification Failure': {
    '--metric-name': ['backup.verification.success'],
    '--period': ['86400'],
    '--evaluation-periods': ['7'],
    '--datapoints-to-alarm': ['7'],
    '--alarm-actions': [topic('warning-alerts')],
  },
  'S3 Upload Failure': {
    '--metric-name': ['backup.s3.object.uploaded'],
    '--period': ['86400'],
    '--threshold': ['3'],
    '--comparison-operator': ['LessThanThreshold'],
    '--alarm-actions': [topic('warning-alerts')],
  },
  'Backup Duration Increase': {
    '--metric-name': ['backup.rds.snapshot.duration'],
    '--statistic': ['Average'],
    '--threshold': ['3600'],
    '--comparison-operator': ['GreaterThanThreshold'],
    '--alarm-actions': [topic('info-alerts')],
  },
};

describe('backup-cloudwatch-alarms (003 CloudWatch alarms)', { timeout: 120_000 }, () => {
  it('dry run: the eight steps in the seed order, the commands rendered, nothing executed', async () => {
    const r = await run(['--dry-run']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(calls()).toEqual([]);
    const text = readFileSync(join(root, '.runbook', 'runs', runIdOf(r.stdout), 'audit.jsonl'), 'utf8');
    const starts = parseAuditText(text).records.filter((x) => x.type === 'step:start');
    expect(starts.map((x) => x.stepId)).toEqual(steps);
    expect(starts.every((x) => (x.data as { dryRun?: boolean }).dryRun)).toBe(true);
    // The plan of the dry run shows each step's whole script (JSON-quoted) and the names of its env.
    const plan = await runCliAsync(['plan', 'backup-cloudwatch-alarms', '--root', root, '--dry-run', ...rule]);
    expect(plan.status, plan.stderr).toBe(0);
    for (const name of Object.keys(expected)) expect(plan.stdout).toContain(`--alarm-name \\"${name}\\"`);
    expect(plan.stdout).toContain('describe-alarms --region \\"$REGION\\" --alarm-names');
  });

  it('creates each alarm with the seed values, PagerDuty on P0, then finds all seven', async () => {
    const r = await run(['--input', `pagerduty_topic_arn=${pagerduty}`, '--input', 'expected_daily_uploads=3']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const made = calls().filter((c) => c[1] === 'put-metric-alarm');
    expect(made.map((c) => option(c, '--alarm-name')[0])).toEqual(Object.keys(expected));
    for (const c of made) {
      const want = expected[option(c, '--alarm-name')[0]];
      for (const [flag, values] of Object.entries(want)) expect([flag, option(c, flag)]).toEqual([flag, values]);
      expect(option(c, '--region')).toEqual(['us-east-1']);
    }
    expect(stepEndsOf(root, r.stdout)['describe-alarms'].outputs).toEqual({ alarms: '7' });
  });

  it('without a PagerDuty topic the P0 alarms notify SNS only; a missing alarm fails the check', async () => {
    const r = await run([], 6);
    expect(r.status).not.toBe(0);
    const made = calls().filter((c) => c[1] === 'put-metric-alarm');
    expect(option(made[0], '--alarm-actions')).toEqual([topic('critical-alerts')]);
    expect(stepEndsOf(root, r.stdout)['describe-alarms'].status).toBe('failed');
  });
});
