import {
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RDSServiceException,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsRdsCopyDbSnapshotAction } from '../../../executor/actions/aws-rds-copy-db-snapshot.js';
import { awsRdsCreateDbSnapshotAction } from '../../../executor/actions/aws-rds-create-db-snapshot.js';
import { awsRdsDeleteDbInstanceAction } from '../../../executor/actions/aws-rds-delete-db-instance.js';
import { awsRdsDescribeDbInstanceAction } from '../../../executor/actions/aws-rds-describe-db-instance.js';
import { awsRdsPromoteReadReplicaAction } from '../../../executor/actions/aws-rds-promote-read-replica.js';
import { awsRdsRestoreDbInstanceToPointInTimeAction } from '../../../executor/actions/aws-rds-restore-db-instance-to-point-in-time.js';
import { awsRdsWaitAvailableAction } from '../../../executor/actions/aws-rds-wait-available.js';
import { setAwsClientFactory } from '../../../executor/aws/clients.js';
import { RUN_TAG } from '../../../executor/aws/restore.js';
import { setAwsWaiterTiming } from '../../../executor/aws/waiters.js';
import { ActionError, StepTimeout } from '../../../executor/core/errors.js';
import { fakeContext } from './context.js';

const rds = mockClient(RDSClient);
const ID = 'ecommerce-prod-db-replica';
const endpoint = { Address: 'replica.abc.us-west-2.rds.amazonaws.com', Port: 5432 };
const replica: DBInstance = {
  DBInstanceIdentifier: ID,
  DBInstanceStatus: 'available',
  ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:123456789012:db:ecommerce-prod-db',
  Endpoint: endpoint,
};
const standalone = (status: string): DBInstance => ({
  DBInstanceIdentifier: ID,
  DBInstanceStatus: status,
  Endpoint: endpoint,
});
const described = (...dbs: DBInstance[]) => ({ DBInstances: dbs });
const awsError = (name: string, message: string, fault: 'client' | 'server' = 'client') =>
  new RDSServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'client' ? 403 : 500 },
    message,
  });

async function failure(p: Promise<unknown>): Promise<ActionError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActionError);
  return error as ActionError;
}

beforeEach(() => {
  rds.reset();
  setAwsClientFactory();
  // Fast polls; the wait bound only ends a test that would fail anyway, so it is generous.
  setAwsWaiterTiming({ rds: { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 60 } });
});
afterEach(() => setAwsWaiterTiming());

describe('aws.rds.promote-read-replica', () => {
  it('promotes, then waits with the SDK waiter until the instance is available', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(described(replica))
      .resolvesOnce(described(standalone('modifying')))
      .resolvesOnce(described(standalone('modifying')))
      .resolves(described(standalone('available')));
    rds.on(PromoteReadReplicaCommand).resolves({ DBInstance: { ...replica, DBInstanceStatus: 'modifying' } });

    const result = await awsRdsPromoteReadReplicaAction.run(
      { region: 'us-west-2', dbInstanceIdentifier: ID },
      fakeContext(),
    );

    expect(result).toEqual({
      dbInstanceIdentifier: ID,
      status: 'available',
      endpoint: endpoint.Address,
      port: 5432,
      alreadyPromoted: false,
    });
    expect(rds.commandCalls(PromoteReadReplicaCommand)).toHaveLength(1);
    expect(rds.commandCalls(PromoteReadReplicaCommand)[0].args[0].input).toEqual({ DBInstanceIdentifier: ID });
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(4);
  });

  it('keeps waiting while the promoted instance still reports available as a replica', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(described(replica))
      .resolvesOnce(described(replica)) // RDS has not started the promotion yet
      .resolvesOnce(described(standalone('modifying')))
      .resolves(described(standalone('available')));
    rds.on(PromoteReadReplicaCommand).resolves({ DBInstance: replica });

    const result = await awsRdsPromoteReadReplicaAction.run(
      { region: 'us-west-2', dbInstanceIdentifier: ID, wait: 'true' },
      fakeContext(),
    );

    expect(result.status).toBe('available');
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(4);
  });

  it('succeeds without calling PromoteReadReplica when the instance is already promoted and available', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves(
        described({ ...standalone('available'), TagList: [{ Key: 'runbook:promoted-by-run', Value: 'run-41' }] }),
      );

    const ctx = fakeContext({ attempt: 2 });
    const result = await awsRdsPromoteReadReplicaAction.run({ region: 'us-west-2', dbInstanceIdentifier: ID }, ctx);

    expect(result).toMatchObject({ status: 'available', endpoint: endpoint.Address, alreadyPromoted: true });
    expect(rds.commandCalls(PromoteReadReplicaCommand)).toHaveLength(0);
    expect(ctx.lines.join('\n')).toMatch(/already promoted/);
  });

  it('refuses an instance that is not a read replica and was never promoted by a run', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(described(standalone('available')));

    const error = await failure(
      awsRdsPromoteReadReplicaAction.run({ region: 'us-west-2', dbInstanceIdentifier: ID }, fakeContext()),
    );

    expect(error).toMatchObject({ retryable: false, code: 'invalid-state' });
    expect(rds.commandCalls(PromoteReadReplicaCommand)).toHaveLength(0);
  });

  it('with wait: false returns the status of the call', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(described(replica));
    rds.on(PromoteReadReplicaCommand).resolves({ DBInstance: { ...replica, DBInstanceStatus: 'modifying' } });

    const result = await awsRdsPromoteReadReplicaAction.run(
      { region: 'us-west-2', dbInstanceIdentifier: ID, wait: false, backupRetentionPeriod: '7' },
      fakeContext(),
    );

    expect(result.status).toBe('modifying');
    expect(rds.commandCalls(PromoteReadReplicaCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: ID,
      BackupRetentionPeriod: 7,
    });
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(1);
  });

  it('reports a waiter timeout as retryable, with the status it was stuck in', async () => {
    setAwsWaiterTiming({ rds: { minDelay: 0.01, maxDelay: 0.02, maxWaitTime: 0.3 } });
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(described(replica))
      .resolves(described(standalone('modifying')));
    rds.on(PromoteReadReplicaCommand).resolves({ DBInstance: replica });

    const error = await failure(
      awsRdsPromoteReadReplicaAction.run({ region: 'us-west-2', dbInstanceIdentifier: ID }, fakeContext()),
    );

    expect(error).toMatchObject({ retryable: true, code: 'wait-timeout' });
    // Naming the status it was stuck in is the behaviour under test.
    expect(error.message).toContain('still modifying');
  });

  it('reports access denied once, not retryable, naming the operation, the instance and the permission', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(described(replica));
    rds
      .on(PromoteReadReplicaCommand)
      .rejects(
        awsError(
          'AccessDenied',
          'User: arn:aws:sts::123456789012:assumed-role/runbook is not authorized to perform: rds:PromoteReadReplica',
        ),
      );

    const error = await failure(
      awsRdsPromoteReadReplicaAction.run({ region: 'us-west-2', dbInstanceIdentifier: ID }, fakeContext()),
    );

    expect(error).toMatchObject({ retryable: false, code: 'access-denied', providerCode: 'AccessDenied' });
    // Naming the operation, the instance and the permission is the behaviour under test.
    expect(error.message).toContain(
      "rds:PromoteReadReplica on ecommerce-prod-db-replica was denied: check the run's IAM role allows rds:PromoteReadReplica in us-west-2",
    );
    expect(rds.commandCalls(PromoteReadReplicaCommand)).toHaveLength(1);
  });

  it('stops the waiter at the first denied poll instead of polling until the timeout', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(described(replica))
      .rejects(awsError('AccessDenied', 'not authorized to perform: rds:DescribeDBInstances'));
    rds.on(PromoteReadReplicaCommand).resolves({ DBInstance: replica });

    const error = await failure(
      awsRdsPromoteReadReplicaAction.run({ region: 'us-west-2', dbInstanceIdentifier: ID }, fakeContext()),
    );

    expect(error).toMatchObject({ retryable: false, code: 'access-denied' });
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(2);
  });

  it('rethrows the step signal reason when the step times out during the wait', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(described(replica))
      .resolves(described(standalone('modifying')));
    rds.on(PromoteReadReplicaCommand).resolves({ DBInstance: replica });
    const reason = new StepTimeout(100); // what the scheduler aborts the step's signal with
    const controller = new AbortController();
    const ctx = fakeContext({ signal: controller.signal });

    const running = awsRdsPromoteReadReplicaAction
      .run({ region: 'us-west-2', dbInstanceIdentifier: ID }, ctx)
      .catch((e: unknown) => e);
    // Time out during the wait, once a poll has seen `modifying`: the first describe is the
    // pre-check, and the waiter polls a third time only after the second answered.
    await vi.waitUntil(() => rds.commandCalls(DescribeDBInstancesCommand).length >= 3, {
      timeout: 30_000,
      interval: 10,
    });
    controller.abort(reason);
    const error = await running;

    expect(error).toBe(reason);
    expect(ctx.lines.join('\n')).toMatch(/ecommerce-prod-db-replica still modifying after/);
  });

  it("an aborted wait leaves no timer behind (the SDK poller's sleep used to keep the process alive)", async () => {
    setAwsWaiterTiming({ rds: { minDelay: 30, maxDelay: 60, maxWaitTime: 3600 } });
    rds.on(DescribeDBInstancesCommand).resolves(described(standalone('modifying')));
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const controller = new AbortController();
    const running = awsRdsWaitAvailableAction
      .run({ region: 'us-west-2', dbInstanceIdentifier: ID }, fakeContext({ signal: controller.signal }))
      .catch((e: unknown) => e);
    await vi.waitUntil(() => rds.commandCalls(DescribeDBInstancesCommand).length >= 1, {
      timeout: 10_000,
      interval: 5,
    });
    // Now sleeping until the next poll, 30 s away.
    await vi.waitUntil(() => timers() > before, { timeout: 10_000, interval: 5 });
    const reason = new StepTimeout(100);
    controller.abort(reason);

    expect(await running).toBe(reason);
    await vi.waitUntil(() => timers() <= before, { timeout: 1_000, interval: 10 });
  });
});

describe('aws.rds.describe-db-instance / wait-available / delete-db-instance', () => {
  it('maps DescribeDBInstances to the x-result', async () => {
    rds.on(DescribeDBInstancesCommand).resolves(
      described({
        ...replica,
        Engine: 'postgres',
        MultiAZ: true,
        LatestRestorableTime: new Date('2025-01-01T00:00:00Z'),
      }),
    );
    const result = await awsRdsDescribeDbInstanceAction.run(
      { region: 'us-west-2', dbInstanceIdentifier: ID },
      fakeContext(),
    );
    expect(result).toMatchObject({
      dbInstanceIdentifier: ID,
      status: 'available',
      endpoint: endpoint.Address,
      port: 5432,
      engine: 'postgres',
      multiAz: true,
      readReplicaSourceDbInstanceIdentifier: replica.ReadReplicaSourceDBInstanceIdentifier,
      readReplicaDbInstanceIdentifiers: [],
      latestRestorableTime: '2025-01-01T00:00:00.000Z',
      availabilityZone: null,
    });
  });

  it('reports a missing instance clearly and not retryable', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejects(new DBInstanceNotFoundFault({ message: `DBInstance ${ID} not found.`, $metadata: {} }));
    const error = await failure(
      awsRdsDescribeDbInstanceAction.run({ region: 'us-west-2', dbInstanceIdentifier: ID }, fakeContext()),
    );
    expect(error).toMatchObject({ retryable: false, code: 'not-found', providerCode: 'DBInstanceNotFound' });
  });

  it('wait-available waits for a snapshot', async () => {
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [{ DBSnapshotIdentifier: 'snap-1', Status: 'creating' }] })
      .resolves({ DBSnapshots: [{ DBSnapshotIdentifier: 'snap-1', Status: 'available' }] });
    const result = await awsRdsWaitAvailableAction.run(
      { region: 'us-east-1', dbSnapshotIdentifier: 'snap-1' },
      fakeContext(),
    );
    expect(result).toMatchObject({ status: 'available', dbSnapshotIdentifier: 'snap-1' });
    expect(result.waitedMs).toBeGreaterThanOrEqual(0);
    expect(rds.commandCalls(DescribeDBSnapshotsCommand)).toHaveLength(2);
  });

  it('wait-available tolerates one not-found poll, and fails on two in a row instead of polling until the timeout', async () => {
    const notFound = new DBInstanceNotFoundFault({ message: 'DBInstance recovered not found.', $metadata: {} });
    rds
      .on(DescribeDBInstancesCommand)
      .rejectsOnce(notFound)
      .resolves(described(standalone('available')));
    const ok = await awsRdsWaitAvailableAction.run({ region: 'us-east-1', dbInstanceIdentifier: ID }, fakeContext());
    expect(ok).toMatchObject({ status: 'available', endpoint: endpoint.Address });

    rds.reset();
    rds.on(DescribeDBInstancesCommand).rejects(notFound);
    const error = await failure(
      awsRdsWaitAvailableAction.run({ region: 'us-east-1', dbInstanceIdentifier: ID }, fakeContext()),
    );
    expect(error).toMatchObject({ retryable: false, code: 'not-found', providerCode: 'DBInstanceNotFound' });
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(2);
  });

  it('delete-db-instance counts an instance that does not exist as deleted', async () => {
    rds.on(DeleteDBInstanceCommand).rejects(new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} }));
    const result = await awsRdsDeleteDbInstanceAction.run(
      { region: 'us-east-1', dbInstanceIdentifier: 'tmp-verify', skipFinalSnapshot: true },
      fakeContext(),
    );
    expect(result).toEqual({ dbInstanceIdentifier: 'tmp-verify', status: 'deleted', finalDbSnapshotIdentifier: null });
  });

  it('delete-db-instance waits until the instance is gone', async () => {
    rds
      .on(DeleteDBInstanceCommand)
      .resolves({ DBInstance: { DBInstanceIdentifier: 'tmp-verify', DBInstanceStatus: 'deleting' } });
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(described({ DBInstanceIdentifier: 'tmp-verify', DBInstanceStatus: 'deleting' }))
      .rejects(new DBInstanceNotFoundFault({ message: 'not found', $metadata: {} }));
    const result = await awsRdsDeleteDbInstanceAction.run(
      { region: 'us-east-1', dbInstanceIdentifier: 'tmp-verify', finalDbSnapshotIdentifier: 'final-1' },
      fakeContext(),
    );
    expect(result).toEqual({
      dbInstanceIdentifier: 'tmp-verify',
      status: 'deleted',
      finalDbSnapshotIdentifier: 'final-1',
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: 'tmp-verify',
      SkipFinalSnapshot: false,
      FinalDBSnapshotIdentifier: 'final-1',
    });
  });
});

describe('snapshots and restores', () => {
  it('copy-db-snapshot looks the source ARN up in the source region for a cross-region copy', async () => {
    const arn = 'arn:aws:rds:us-east-1:123456789012:snapshot:ecommerce-prod-db-run-42';
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [{ DBSnapshotIdentifier: 'ecommerce-prod-db-run-42', DBSnapshotArn: arn, Status: 'available' }],
    });
    rds.on(CopyDBSnapshotCommand).resolves({
      DBSnapshot: {
        DBSnapshotIdentifier: 'copy-1',
        DBSnapshotArn: 'arn:aws:rds:us-west-2:123456789012:snapshot:copy-1',
        Status: 'pending',
      },
    });

    const result = await awsRdsCopyDbSnapshotAction.run(
      {
        region: 'us-west-2',
        sourceRegion: 'us-east-1',
        sourceDbSnapshotIdentifier: 'ecommerce-prod-db-run-42',
        targetDbSnapshotIdentifier: 'copy-1',
        kmsKeyId: 'alias/backup-key',
        wait: false,
      },
      fakeContext(),
    );

    expect(result).toEqual({
      dbSnapshotIdentifier: 'copy-1',
      dbSnapshotArn: 'arn:aws:rds:us-west-2:123456789012:snapshot:copy-1',
      status: 'pending',
    });
    const describe = rds.commandCalls(DescribeDBSnapshotsCommand)[0];
    expect(await (describe.thisValue as RDSClient).config.region()).toBe('us-east-1');
    const copy = rds.commandCalls(CopyDBSnapshotCommand)[0];
    expect(await (copy.thisValue as RDSClient).config.region()).toBe('us-west-2');
    expect(copy.args[0].input).toEqual({
      SourceDBSnapshotIdentifier: arn,
      TargetDBSnapshotIdentifier: 'copy-1',
      KmsKeyId: 'alias/backup-key',
      Tags: [{ Key: 'runbook:source-snapshot', Value: arn }],
    });
  });

  it('create-db-snapshot adopts the snapshot an earlier attempt created', async () => {
    rds.on(CreateDBSnapshotCommand).rejects(new DBSnapshotAlreadyExistsFault({ message: 'exists', $metadata: {} }));
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        {
          DBSnapshotIdentifier: 'snap-1',
          DBInstanceIdentifier: 'ecommerce-prod-db',
          Status: 'available',
          DBSnapshotArn: 'arn:x',
        },
      ],
    });
    const result = await awsRdsCreateDbSnapshotAction.run(
      { region: 'us-east-1', dbInstanceIdentifier: 'ecommerce-prod-db', dbSnapshotIdentifier: 'snap-1' },
      fakeContext(),
    );
    expect(result).toEqual({
      dbSnapshotIdentifier: 'snap-1',
      dbSnapshotArn: 'arn:x',
      status: 'available',
      snapshotCreateTime: null,
    });
  });

  it('restore-db-instance-to-point-in-time tags the instance with the run and waits', async () => {
    rds
      .on(RestoreDBInstanceToPointInTimeCommand)
      .resolves({ DBInstance: { DBInstanceIdentifier: 'recovered', DBInstanceStatus: 'creating' } });
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce(described({ DBInstanceIdentifier: 'recovered', DBInstanceStatus: 'creating' }))
      .resolves(
        described({
          DBInstanceIdentifier: 'recovered',
          DBInstanceStatus: 'available',
          Endpoint: { Address: 'recovered.x', Port: 5432 },
        }),
      );
    const result = await awsRdsRestoreDbInstanceToPointInTimeAction.run(
      {
        region: 'us-east-1',
        sourceDbInstanceIdentifier: 'ecommerce-prod-db',
        targetDbInstanceIdentifier: 'recovered',
        restoreTime: '2025-01-01T10:00:00Z',
      },
      fakeContext(),
    );
    expect(result).toEqual({
      dbInstanceIdentifier: 'recovered',
      status: 'available',
      endpoint: 'recovered.x',
      port: 5432,
    });
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input).toEqual({
      SourceDBInstanceIdentifier: 'ecommerce-prod-db',
      TargetDBInstanceIdentifier: 'recovered',
      RestoreTime: new Date('2025-01-01T10:00:00Z'),
      Tags: [{ Key: RUN_TAG, Value: 'run-42' }],
    });
  });

  it('restore-db-instance-to-point-in-time refuses a request without a point in time', async () => {
    const error = await failure(
      awsRdsRestoreDbInstanceToPointInTimeAction.run(
        { sourceDbInstanceIdentifier: 'a', targetDbInstanceIdentifier: 'b' },
        fakeContext(),
      ),
    );
    expect(error.retryable).toBe(false);
    expect(rds.calls()).toHaveLength(0);
  });
});
