import {
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  type DBInstance,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { MotoServer } from '../../../support/moto.js';

/** The hosted zone both library failovers name (primary-region-failure literally, the other by default). */
export const ZONE_ID = 'Z1234567890ABC';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const rdsIn = (moto: MotoServer, region: string) =>
  new RDSClient({ endpoint: moto.endpoint, region, credentials, maxAttempts: 1 });

/** A PostgreSQL instance in us-east-1 and its cross-region read replica in `drRegion` (created by ARN, as AWS requires). */
export async function seedPrimaryAndReplica(
  moto: MotoServer,
  o: { primary: string; replica: string; drRegion: string },
): Promise<void> {
  const east = rdsIn(moto, 'us-east-1');
  const west = rdsIn(moto, o.drRegion);
  try {
    const made = await east.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: o.primary,
        Engine: 'postgres',
        EngineVersion: '15.4',
        DBInstanceClass: 'db.r5.large',
        AllocatedStorage: 100,
        MasterUsername: 'admin_user',
        MasterUserPassword: 'not-a-real-password',
        BackupRetentionPeriod: 30,
      }),
    );
    await west.send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: o.replica,
        SourceDBInstanceIdentifier: made.DBInstance!.DBInstanceArn!,
      }),
    );
  } finally {
    east.destroy();
    west.destroy();
  }
}

export async function describeInstance(moto: MotoServer, region: string, id: string): Promise<DBInstance | undefined> {
  const rds = rdsIn(moto, region);
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    return out.DBInstances?.find((d) => d.DBInstanceIdentifier === id);
  } finally {
    rds.destroy();
  }
}

export async function instanceIds(moto: MotoServer, region: string): Promise<string[]> {
  const rds = rdsIn(moto, region);
  try {
    return ((await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map((d) => d.DBInstanceIdentifier!);
  } finally {
    rds.destroy();
  }
}

export async function snapshots(moto: MotoServer, region: string): Promise<DBSnapshot[]> {
  const rds = rdsIn(moto, region);
  try {
    return (await rds.send(new DescribeDBSnapshotsCommand({}))).DBSnapshots ?? [];
  } finally {
    rds.destroy();
  }
}

const route53 = (moto: MotoServer) =>
  new Route53Client({ endpoint: moto.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

/**
 * Hosted zone example.com with id ZONE_ID (moto-patches: the caller reference picks the id) and
 * the records as they are before a failover.
 */
export async function seedZone(
  moto: MotoServer,
  records: { name: string; type: 'A' | 'CNAME'; value: string }[],
): Promise<void> {
  const r53 = route53(moto);
  try {
    const zone = await r53.send(
      new CreateHostedZoneCommand({ Name: 'example.com.', CallerReference: `moto-zone-id:${ZONE_ID}:${Date.now()}` }),
    );
    if (zone.HostedZone?.Id?.replace('/hostedzone/', '') !== ZONE_ID)
      throw new Error(`moto gave zone id ${zone.HostedZone?.Id}: is test/support/moto-patches loaded?`);
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: ZONE_ID,
        ChangeBatch: {
          Changes: records.map((r) => ({
            Action: 'CREATE',
            ResourceRecordSet: { Name: `${r.name}.`, Type: r.type, TTL: 300, ResourceRecords: [{ Value: r.value }] },
          })),
        },
      }),
    );
  } finally {
    r53.destroy();
  }
}

/** The TTL of record `name` (`type`) in ZONE_ID: a rollback restores it too. */
export async function recordTtl(moto: MotoServer, name: string, type: string): Promise<number | undefined> {
  const r53 = route53(moto);
  try {
    const out = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE_ID }));
    return out.ResourceRecordSets?.find((s) => s.Type === type && s.Name?.replace(/\.$/, '').toLowerCase() === name)
      ?.TTL;
  } finally {
    r53.destroy();
  }
}

/** The values of record `name` (`type`) in ZONE_ID, read with the SDK: what resolvers would get. */
export async function recordValues(moto: MotoServer, name: string, type: string): Promise<string[]> {
  const r53 = route53(moto);
  try {
    const out = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE_ID }));
    const set = out.ResourceRecordSets?.filter(
      (s) => s.Type === type && s.Name?.replace(/\.$/, '').toLowerCase() === name,
    );
    return (set ?? []).flatMap((s) => (s.ResourceRecords ?? []).map((v) => v.Value!));
  } finally {
    r53.destroy();
  }
}

/** The e-commerce platform's replica and load balancer, as primary-region-failure names them. */
export const ECOMMERCE_REPLICA = 'ecommerce-prod-db-replica';
export const ECOMMERCE_ALB = 'primary-alb-0123456789.us-east-1.elb.amazonaws.com';

/**
 * The world before a primary-region failure of the e-commerce platform: its primary and DR-region
 * replica, and api/www pointing at the primary region's load balancer (primary-region-failure
 * and the quarterly drill that runs it).
 */
export async function seedEcommerceRegion(moto: MotoServer): Promise<void> {
  await seedPrimaryAndReplica(moto, {
    primary: 'ecommerce-prod-db',
    replica: ECOMMERCE_REPLICA,
    drRegion: 'us-west-2',
  });
  await seedZone(moto, [
    { name: 'api.example.com', type: 'CNAME', value: ECOMMERCE_ALB },
    { name: 'www.example.com', type: 'CNAME', value: ECOMMERCE_ALB },
  ]);
}
