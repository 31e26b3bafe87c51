import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../../executor/actions/action.js';
import { awsRdsCopyDbSnapshotAction } from '../../../executor/actions/aws-rds-copy-db-snapshot.js';
import { awsRdsCreateDbSnapshotAction } from '../../../executor/actions/aws-rds-create-db-snapshot.js';
import { awsRdsDeleteDbInstanceAction } from '../../../executor/actions/aws-rds-delete-db-instance.js';
import { awsRdsDescribeDbInstanceAction } from '../../../executor/actions/aws-rds-describe-db-instance.js';
import { awsRdsPromoteReadReplicaAction } from '../../../executor/actions/aws-rds-promote-read-replica.js';
import { awsRdsRestoreDbInstanceFromSnapshotAction } from '../../../executor/actions/aws-rds-restore-db-instance-from-snapshot.js';
import { awsRdsRestoreDbInstanceToPointInTimeAction } from '../../../executor/actions/aws-rds-restore-db-instance-to-point-in-time.js';
import { awsRdsWaitAvailableAction } from '../../../executor/actions/aws-rds-wait-available.js';
import { awsRoute53CreateHealthCheckAction } from '../../../executor/actions/aws-route53-create-health-check.js';
import { awsRoute53GetRecordAction } from '../../../executor/actions/aws-route53-get-record.js';
import { awsRoute53UpsertRecordAction } from '../../../executor/actions/aws-route53-upsert-record.js';
import { fakePlanContext } from './context.js';

const rds = mockClient(RDSClient);
const r53 = mockClient(Route53Client);

// [action, params, the operations its plan must list, in order]
const cases: [ActionDefinition<never, unknown>, Record<string, unknown>, string[]][] = [
  [awsRdsDescribeDbInstanceAction, { region: 'us-west-2', dbInstanceIdentifier: 'db' }, ['DescribeDBInstances']],
  [
    awsRdsPromoteReadReplicaAction,
    { region: 'us-west-2', dbInstanceIdentifier: 'db' },
    [
      'DescribeDBInstances',
      'AddTagsToResource',
      'PromoteReadReplica',
      'AddTagsToResource',
      'waitUntilDBInstanceAvailable',
    ],
  ],
  [
    awsRdsPromoteReadReplicaAction,
    { region: 'us-west-2', dbInstanceIdentifier: 'db', wait: false },
    ['DescribeDBInstances', 'AddTagsToResource', 'PromoteReadReplica', 'AddTagsToResource'],
  ],
  [
    awsRdsCreateDbSnapshotAction,
    { dbInstanceIdentifier: 'db', dbSnapshotIdentifier: 's' },
    ['CreateDBSnapshot', 'waitUntilDBSnapshotAvailable'],
  ],
  [
    awsRdsCopyDbSnapshotAction,
    {
      region: 'us-west-2',
      sourceRegion: 'us-east-1',
      sourceDbSnapshotIdentifier: 's',
      targetDbSnapshotIdentifier: 'c',
    },
    ['DescribeDBSnapshots', 'CopyDBSnapshot', 'waitUntilDBSnapshotAvailable'],
  ],
  [
    awsRdsRestoreDbInstanceFromSnapshotAction,
    { dbInstanceIdentifier: 'n', dbSnapshotIdentifier: 's' },
    ['RestoreDBInstanceFromDBSnapshot', 'waitUntilDBInstanceAvailable'],
  ],
  [
    awsRdsRestoreDbInstanceToPointInTimeAction,
    { sourceDbInstanceIdentifier: 'db', targetDbInstanceIdentifier: 'n', useLatestRestorableTime: true },
    ['RestoreDBInstanceToPointInTime', 'waitUntilDBInstanceAvailable'],
  ],
  [
    awsRdsDeleteDbInstanceAction,
    { dbInstanceIdentifier: 'n', skipFinalSnapshot: true },
    ['DeleteDBInstance', 'waitUntilDBInstanceDeleted'],
  ],
  [awsRdsWaitAvailableAction, { dbSnapshotIdentifier: 's' }, ['waitUntilDBSnapshotAvailable']],
  [
    awsRoute53UpsertRecordAction,
    { hostedZoneId: 'Z1', name: 'api.example.com', type: 'CNAME', ttl: 60, value: 'dr.example.com' },
    ['ListResourceRecordSets', 'ChangeResourceRecordSets', 'waitUntilResourceRecordSetsChanged'],
  ],
  [
    awsRoute53GetRecordAction,
    { hostedZoneId: 'Z1', name: 'api.example.com', type: 'CNAME' },
    ['ListResourceRecordSets'],
  ],
  [
    awsRoute53CreateHealthCheckAction,
    { type: 'HTTPS', fullyQualifiedDomainName: 'api.example.com', tags: { Name: 'x' } },
    ['CreateHealthCheck', 'ChangeTagsForResource'],
  ],
];

describe('plan() of the AWS actions', () => {
  it.each(cases)('%# lists the exact calls and makes none', (action, params, operations) => {
    const plan = (action as ActionDefinition).plan(params, fakePlanContext());
    expect(plan.calls.map((c) => c.operation)).toEqual(operations);
    expect(plan.summary).not.toBe('');
    expect(rds.calls()).toHaveLength(0);
    expect(r53.calls()).toHaveLength(0);
  });

  it('shows the exact arguments, e.g. the UPSERT change batch and the cross-region source', () => {
    const upsert = awsRoute53UpsertRecordAction.plan(
      { hostedZoneId: 'Z1', name: 'api.example.com', type: 'CNAME', ttl: 60, value: 'dr.example.com' },
      fakePlanContext(),
    );
    expect(upsert.calls[1]).toEqual({
      target: 'aws:route53',
      operation: 'ChangeResourceRecordSets',
      args: {
        HostedZoneId: 'Z1',
        ChangeBatch: {
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: 'api.example.com.',
                Type: 'CNAME',
                TTL: 60,
                ResourceRecords: [{ Value: 'dr.example.com' }],
              },
            },
          ],
        },
      },
    });
    const copy = awsRdsCopyDbSnapshotAction.plan(
      {
        region: 'us-west-2',
        sourceRegion: 'us-east-1',
        sourceDbSnapshotIdentifier: 's',
        targetDbSnapshotIdentifier: 'c',
        kmsKeyId: 'alias/k',
      },
      fakePlanContext(),
    );
    expect(copy.calls[0].target).toBe('aws:rds:us-east-1');
    expect(copy.calls[1]).toEqual({
      target: 'aws:rds:us-west-2',
      operation: 'CopyDBSnapshot',
      args: {
        SourceDBSnapshotIdentifier: '<ARN of s in us-east-1>',
        TargetDBSnapshotIdentifier: 'c',
        KmsKeyId: 'alias/k',
        Tags: [{ Key: 'runbook:source-snapshot', Value: '<ARN of s in us-east-1>' }],
      },
    });
    const hc = awsRoute53CreateHealthCheckAction.plan(
      { type: 'HTTPS', fullyQualifiedDomainName: 'api.example.com' },
      fakePlanContext(),
    );
    expect(hc.calls[0].args).toMatchObject({ CallerReference: 'run-42-promote-db' });
  });

  it('masks secrets that reach a plan through params', () => {
    const secret = 'Sup3r-Secret-Value';
    const plan = awsRdsCreateDbSnapshotAction.plan(
      { dbInstanceIdentifier: 'db', dbSnapshotIdentifier: 's', tags: { token: secret } },
      fakePlanContext([secret]),
    );
    expect(JSON.stringify(plan)).not.toContain(secret);
    expect(plan.calls[0].args).toMatchObject({ Tags: [{ Key: 'token', Value: '***' }] });
  });
});
