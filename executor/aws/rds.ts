import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  waitUntilDBInstanceAvailable,
  waitUntilDBSnapshotAvailable,
  type DBInstance,
  type DBSnapshot,
  type DescribeDBInstancesCommandOutput,
  type DescribeDBSnapshotsCommandOutput,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { ActionContext } from '../actions/action.js';
import { ActionError } from '../core/errors.js';
import { awsCall, formatDuration } from './call.js';
import { isNotFound } from './errors.js';
import { waitFor, waiterTiming, type SdkWaiter } from './waiters.js';

/** The result shared by the actions that end with an instance (x-result of promote, restore…). */
export interface InstanceResult {
  dbInstanceIdentifier: string;
  status: string;
  endpoint: string | null;
  port: number | null;
}

/** Maps a DBInstance to {@link InstanceResult}: endpoint is `Endpoint.Address`, null until RDS assigns one. */
export function instanceResult(db: DBInstance | undefined, id: string): InstanceResult {
  return {
    dbInstanceIdentifier: db?.DBInstanceIdentifier ?? id,
    status: db?.DBInstanceStatus ?? 'unknown',
    endpoint: db?.Endpoint?.Address ?? null,
    port: db?.Endpoint?.Port ?? null,
  };
}

type Ctx = Pick<ActionContext, 'signal' | 'clock' | 'log'>;

/** DescribeDBInstances for one instance; undefined when it does not exist (when `missingOk`). */
export async function describeInstance(
  rds: RDSClient,
  id: string,
  region: string | undefined,
  ctx: Ctx,
  missingOk = false,
): Promise<DBInstance | undefined> {
  const call = { service: 'rds', operation: 'DescribeDBInstances', resource: id, region } as const;
  try {
    const out = await awsCall(call, ctx.signal, (o) =>
      rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), o),
    );
    return out.DBInstances?.[0];
  } catch (error) {
    if (missingOk && isNotFound(error)) return undefined;
    throw error;
  }
}

/** DescribeDBSnapshots for one snapshot (identifier or ARN); undefined when it does not exist. */
export async function describeSnapshot(
  rds: RDSClient,
  id: string,
  region: string | undefined,
  ctx: Ctx,
): Promise<DBSnapshot | undefined> {
  const call = { service: 'rds', operation: 'DescribeDBSnapshots', resource: id, region } as const;
  try {
    const out = await awsCall(call, ctx.signal, (o) =>
      rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }), o),
    );
    return out.DBSnapshots?.[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Waits until the instance is `available` (waitUntilDBInstanceAvailable) and, when `until` is
 * given, until it also holds. Why `until`: right after PromoteReadReplica the replica may still
 * report `available` for a few seconds before turning `modifying`, so "available" alone would end
 * the wait before the promotion started; the loop waits for the replica link to be gone too.
 */
export async function waitInstanceAvailable(
  rds: RDSClient,
  id: string,
  region: string | undefined,
  ctx: Ctx,
  until?: { test: (db: DBInstance) => boolean; pending: string },
): Promise<{ db: DBInstance | undefined; waitedMs: number }> {
  const started = ctx.clock.now();
  const deadline = started + waiterTiming('rds').maxWaitTime * 1000;
  for (;;) {
    const { output } = await waitFor(
      {
        call: { service: 'rds', operation: 'DescribeDBInstances', resource: id, region },
        client: rds,
        input: { DBInstanceIdentifier: id },
        waiter: waitUntilDBInstanceAvailable as SdkWaiter<RDSClient, unknown, DescribeDBInstancesCommandOutput>,
        target: 'available',
        statusOf: (o: DescribeDBInstancesCommandOutput) => o.DBInstances?.[0]?.DBInstanceStatus,
      },
      ctx,
    );
    const db = output?.DBInstances?.[0];
    const waitedMs = ctx.clock.now() - started;
    if (!until || (db && until.test(db))) return { db, waitedMs };
    if (ctx.clock.now() >= deadline) {
      throw new ActionError(`${id} still ${until.pending} after ${formatDuration(waitedMs)} (waiting for available)`, {
        code: 'wait-timeout',
      });
    }
    await ctx.clock.sleep(waiterTiming('rds').minDelay * 1000, ctx.signal);
  }
}

/** Waits until a snapshot is `available` (waitUntilDBSnapshotAvailable). */
export async function waitSnapshotAvailable(
  rds: RDSClient,
  id: string,
  region: string | undefined,
  ctx: Ctx,
): Promise<{ snapshot: DBSnapshot | undefined; waitedMs: number }> {
  const { output, waitedMs } = await waitFor(
    {
      call: { service: 'rds', operation: 'DescribeDBSnapshots', resource: id, region },
      client: rds,
      input: { DBSnapshotIdentifier: id },
      waiter: waitUntilDBSnapshotAvailable as SdkWaiter<RDSClient, unknown, DescribeDBSnapshotsCommandOutput>,
      target: 'available',
      statusOf: (o: DescribeDBSnapshotsCommandOutput) => o.DBSnapshots?.[0]?.Status,
    },
    ctx,
  );
  return { snapshot: output?.DBSnapshots?.[0], waitedMs };
}

/** The x-result of the snapshot actions. */
export function snapshotResult(s: DBSnapshot | undefined, id: string, status: string) {
  return {
    dbSnapshotIdentifier: s?.DBSnapshotIdentifier ?? id,
    dbSnapshotArn: s?.DBSnapshotArn ?? '',
    status: s?.Status ?? status,
    snapshotCreateTime: s?.SnapshotCreateTime ? new Date(s.SnapshotCreateTime).toISOString() : null,
  };
}
