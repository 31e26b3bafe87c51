import {
  AddTagsToResourceCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  RDSServiceException,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsRdsPruneDbSnapshotsAction } from '../../../executor/actions/aws-rds-prune-db-snapshots.js';
import { setAwsClientFactory } from '../../../executor/aws/clients.js';
import { snapshotCreatedAt, snapshotEntry } from '../../../executor/aws/snapshots.js';
import { fakeContext, fakePlanContext } from './context.js';

const rds = mockClient(RDSClient);
const DAY = 86_400_000;
const DB = 'ecommerce-prod-db';
const params = {
  region: 'us-west-2',
  dbInstanceIdentifier: DB,
  plan: 'ecommerce-rds-daily',
  target: DB,
  cold: '90d',
  archive: '2555d',
};
const snap = (id: string, ageDays: number, extra: Partial<DBSnapshot> = {}): DBSnapshot => ({
  DBSnapshotIdentifier: id,
  DBSnapshotArn: `arn:aws:rds:us-west-2:123456789012:snapshot:${id}`,
  SnapshotType: 'manual',
  Status: 'available',
  SnapshotCreateTime: new Date(Date.now() - ageDays * DAY),
  TagList: [
    { Key: 'runbook:plan', Value: 'ecommerce-rds-daily' },
    { Key: 'runbook:target', Value: DB },
  ],
  ...extra,
});
const notFound = () =>
  new RDSServiceException({
    name: 'DBSnapshotNotFoundFault',
    $fault: 'client',
    $metadata: { httpStatusCode: 404 },
    message: 'not found',
  });

beforeEach(() => {
  rds.reset();
  setAwsClientFactory();
});

describe('aws.rds.prune-db-snapshots', () => {
  it('reads every page of DescribeDBSnapshots (Marker) before deciding', async () => {
    // Only the second page holds the newest snapshot: without it, the first page's would be "newest" and kept.
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [snap(`${DB}-old`, 200)], Marker: 'page-2' })
      .resolvesOnce({ DBSnapshots: [snap(`${DB}-new`, 1)] });
    rds.on(DeleteDBSnapshotCommand).resolves({});
    const result = await awsRdsPruneDbSnapshotsAction.run({ ...params, archive: undefined }, fakeContext());
    const calls = rds.commandCalls(DescribeDBSnapshotsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { DBInstanceIdentifier: DB, SnapshotType: 'manual', MaxRecords: 100, Marker: undefined },
      { DBInstanceIdentifier: DB, SnapshotType: 'manual', MaxRecords: 100, Marker: 'page-2' },
    ]);
    expect(result).toMatchObject({ region: 'us-west-2', deleted: [`${DB}-old`], kept: [`${DB}-new`], archived: [] });
  });

  it('counts a snapshot already gone as deleted (a retry after a partial run)', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snap(`${DB}-old`, 200), snap(`${DB}-new`, 1)] });
    rds.on(DeleteDBSnapshotCommand).rejects(notFound());
    const result = await awsRdsPruneDbSnapshotsAction.run({ ...params, archive: undefined }, fakeContext());
    expect(result.deleted).toEqual([`${DB}-old`]);
  });

  it('leaves a snapshot RDS cannot delete now (InvalidDBSnapshotState) for the next run', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snap(`${DB}-old`, 200), snap(`${DB}-new`, 1)] });
    rds.on(DeleteDBSnapshotCommand).rejects(
      new RDSServiceException({
        name: 'InvalidDBSnapshotStateFault',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'being copied',
      }),
    );
    const ctx = fakeContext();
    const result = await awsRdsPruneDbSnapshotsAction.run({ ...params, archive: undefined }, ctx);
    expect(result.deleted).toEqual([]);
    expect(ctx.lines.join('\n')).toMatch(/left for the next run/);
  });

  it('tags the monthly compliance copy by ARN and never touches an automated or foreign snapshot', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        snap(`${DB}-month`, 200),
        snap(`${DB}-new`, 1),
        snap(`rds:${DB}-2026-01-01`, 900, { SnapshotType: 'automated' }),
        snap(`${DB}-hand-made`, 900, { TagList: [] }),
      ],
    });
    rds.on(AddTagsToResourceCommand).resolves({});
    const result = await awsRdsPruneDbSnapshotsAction.run(params, fakeContext());
    expect(result).toMatchObject({ archived: [`${DB}-month`], deleted: [], kept: [`${DB}-new`] });
    expect(rds.commandCalls(AddTagsToResourceCommand)[0].args[0].input).toEqual({
      ResourceName: `arn:aws:rds:us-west-2:123456789012:snapshot:${DB}-month`,
      Tags: [{ Key: 'runbook:retention', Value: 'archive' }],
    });
    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
  });

  it('refuses a malformed or missing retention before any call', async () => {
    await expect(
      awsRdsPruneDbSnapshotsAction.run({ ...params, cold: 'ninety days' }, fakeContext()),
    ).rejects.toMatchObject({ code: 'bad-params' });
    await expect(
      awsRdsPruneDbSnapshotsAction.run({ ...params, cold: undefined, archive: undefined }, fakeContext()),
    ).rejects.toMatchObject({ code: 'bad-params' });
    expect(rds.calls()).toHaveLength(0);
  });

  it("checks hot against the instance's automated-backup retention after pruning: never changes it, fails when shorter", async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snap(`${DB}-old`, 200), snap(`${DB}-new`, 1)] });
    rds.on(DeleteDBSnapshotCommand).resolves({});
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [{ DBInstanceIdentifier: DB, BackupRetentionPeriod: 30 }] })
      .resolvesOnce({ DBInstances: [{ DBInstanceIdentifier: DB, BackupRetentionPeriod: 35 }] })
      .resolvesOnce({ DBInstances: [{ DBInstanceIdentifier: DB, BackupRetentionPeriod: 7 }] });
    const ok = await awsRdsPruneDbSnapshotsAction.run({ ...params, archive: undefined, hot: '30d' }, fakeContext());
    expect(ok).toMatchObject({ deleted: [`${DB}-old`], automatedRetentionDays: 30 });

    // A 60-day hot cannot be met by RDS (35 at most): 35 is enough.
    expect(
      (await awsRdsPruneDbSnapshotsAction.run({ ...params, hot: '60d' }, fakeContext())).automatedRetentionDays,
    ).toBe(35);

    await expect(awsRdsPruneDbSnapshotsAction.run({ ...params, hot: '30d' }, fakeContext())).rejects.toMatchObject({
      code: 'refused-unsafe',
      retryable: false,
    });
    expect(rds.commandCalls(DeleteDBSnapshotCommand).length).toBeGreaterThan(0);
  });

  it('skips the hot check where the instance is not (a DR region)', async () => {
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    rds.on(DescribeDBInstancesCommand).rejects(
      new RDSServiceException({
        name: 'DBInstanceNotFoundFault',
        $fault: 'client',
        $metadata: { httpStatusCode: 404 },
        message: 'nope',
      }),
    );
    const result = await awsRdsPruneDbSnapshotsAction.run({ ...params, hot: '30d' }, fakeContext());
    expect(result.automatedRetentionDays).toBeNull();
  });

  it('plans the calls without making any', () => {
    const plan = awsRdsPruneDbSnapshotsAction.plan(params, fakePlanContext());
    expect(plan.summary).toMatch(/cold 90d, archive 2555d.*runbook:plan=ecommerce-rds-daily.*us-west-2/);
    expect(plan.calls.map((c) => c.operation)).toEqual([
      'DescribeDBSnapshots',
      'DeleteDBSnapshot',
      'AddTagsToResource',
    ]);
    expect(rds.calls()).toHaveLength(0);
  });
});

describe('snapshotEntry ownership', () => {
  const owner = { plan: 'ecommerce-rds-daily', target: DB };
  const now = Date.now();
  it.each([
    ['tagged and named <target>-…', snap(`${DB}-x`, 1), true],
    ["tagged but named otherwise (a person's copy with CopyTags)", snap('keep-me', 1), false],
    [
      'untagged, named by a run of this plan (taken before the tags existed)',
      snap(`${DB}-20261001-030000-ecommerce-rds-daily-3f9a`, 1, { TagList: [] }),
      true,
    ],
    [
      'untagged DR copy named by a run of this plan',
      snap(`${DB}-20261001-030000-ecommerce-rds-daily-3f9a-us-west-2`, 1, { TagList: [] }),
      true,
    ],
    [
      'untagged, named by a run of another plan',
      snap(`${DB}-20261001-030000-other-plan-3f9a`, 1, { TagList: [] }),
      false,
    ],
    ['untagged, hand-named', snap(`${DB}-before-upgrade`, 1, { TagList: [] }), false],
    ['automated, however named or tagged', snap(`${DB}-x`, 1, { SnapshotType: 'automated' }), false],
  ] as const)('%s', (_what, s, owned) => {
    expect(snapshotEntry(s, owner, now).owned).toBe(owned);
  });
});

describe('snapshotCreatedAt', () => {
  const now = Date.parse('2026-12-05T00:00:00Z');
  it('prefers the plan tag, then OriginalSnapshotCreateTime (kept by a copy), then SnapshotCreateTime', () => {
    const base = {
      SnapshotCreateTime: new Date('2026-12-04T00:00:00Z'),
      OriginalSnapshotCreateTime: new Date('2026-11-01T00:00:00Z'),
    };
    expect(
      snapshotCreatedAt({ ...base, TagList: [{ Key: 'runbook:created-at', Value: '2026-10-01T03:00:00Z' }] }, now),
    ).toBe(Date.parse('2026-10-01T03:00:00Z'));
    expect(snapshotCreatedAt(base, now)).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(snapshotCreatedAt({ SnapshotCreateTime: base.SnapshotCreateTime }, now)).toBe(
      Date.parse('2026-12-04T00:00:00Z'),
    );
  });
  it('ignores a tag that does not parse or lies in the future', () => {
    const base = { SnapshotCreateTime: new Date('2026-12-04T00:00:00Z') };
    for (const Value of ['yesterday', '2027-01-01T00:00:00Z']) {
      expect(snapshotCreatedAt({ ...base, TagList: [{ Key: 'runbook:created-at', Value }] }, now)).toBe(
        Date.parse('2026-12-04T00:00:00Z'),
      );
    }
  });
});
