import {
  AddTagsToResourceCommand,
  PromoteReadReplicaCommand,
  type DBInstance,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { ActionDefinition } from './action.js';
import { NAME_LIMITS, withFittedNames } from '../aws/names.js';
import { awsClients } from '../aws/clients.js';
import { awsCall } from '../aws/call.js';
import { isAwsError } from '../aws/errors.js';
import { ActionError } from '../core/errors.js';
import { bool, compact, int, planTarget, str, maskedPlan } from '../aws/params.js';
import { describeInstance, instanceResult, waitInstanceAvailable, type InstanceResult } from '../aws/rds.js';
import type { AwsRdsPromoteReadReplicaParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRdsPromoteReadReplicaParams };

/** x-result of aws.rds.promote-read-replica, plus `alreadyPromoted` when nothing had to be done. */
export interface AwsRdsPromoteReadReplicaResult extends InstanceResult {
  alreadyPromoted: boolean;
}

const isStandalone = (db: DBInstance) => !db.ReadReplicaSourceDBInstanceIdentifier;

/**
 * Tag put on a replica just before PromoteReadReplica. RDS keeps no trace of a promotion, so
 * without it "no longer a replica" (a retry, a resumed or repeated run) could not be told from
 * "never was one" (a wrong identifier, e.g. the primary), which must fail rather than report a
 * promotion that did not happen. Needs rds:AddTagsToResource.
 */
export const PROMOTED_TAG = 'runbook:promoted-by-run';
const promotedBy = (db: DBInstance) => db.TagList?.find((t) => t.Key === PROMOTED_TAG)?.Value;

/**
 * Promotes a read replica (PromoteReadReplica) and waits until it is available. Safe to re-run:
 * an instance that is no longer a replica counts as promoted (a retry after a timeout, a resumed
 * run), and is only waited for.
 */
export const awsRdsPromoteReadReplicaAction: ActionDefinition<
  AwsRdsPromoteReadReplicaParams,
  AwsRdsPromoteReadReplicaResult
> = maskedPlan(
  withFittedNames(
    { dbInstanceIdentifier: NAME_LIMITS.rdsInstance },
    {
      id: 'aws.rds.promote-read-replica',

      async run(params, ctx) {
        const id = str(params.dbInstanceIdentifier, 'dbInstanceIdentifier');
        const wait = bool(params.wait, 'wait', true);
        const { rds, region } = awsClients(params.region);
        const until = { test: isStandalone, pending: 'a read replica' };

        const before = await describeInstance(rds, id, region, ctx);
        let alreadyPromoted = !!before && isStandalone(before);
        let db: DBInstance | undefined = before;
        if (alreadyPromoted) {
          const by = before && promotedBy(before);
          if (!by) throw notReplica(id);
          ctx.log.info(
            `${id} is not a read replica (status ${before?.DBInstanceStatus}): already promoted by run ${by}`,
          );
        } else {
          await markPromoted(rds, before, region, ctx);
          try {
            const out = await awsCall(
              { service: 'rds', operation: 'PromoteReadReplica', resource: id, region },
              ctx.signal,
              (o) => rds.send(new PromoteReadReplicaCommand(input(params)), o),
            );
            db = out.DBInstance;
            ctx.log.info(`promotion of ${id} started (status ${db?.DBInstanceStatus ?? 'unknown'})`);
            // Again after: AWS keeps tags through a promotion, but moto 4.2 replaces them with the
            // request's (none), and a mark lost there would make a re-run refuse the instance.
            await markPromoted(rds, before, region, ctx);
          } catch (error) {
            // A concurrent or earlier attempt may have promoted it between our read and our call.
            if (!isAwsError(error, 'InvalidDBInstanceState')) throw error;
            const now = await describeInstance(rds, id, region, ctx);
            if (!now || !isStandalone(now) || !promotedBy(now)) throw error;
            alreadyPromoted = true;
            db = now;
          }
        }
        if (wait && !(alreadyPromoted && db?.DBInstanceStatus === 'available')) {
          db = (await waitInstanceAvailable(rds, id, region, ctx, until)).db ?? db;
        }
        return { ...instanceResult(db, id), alreadyPromoted };
      },

      plan(params, ctx) {
        const target = planTarget('rds', params.region);
        const wait = bool(params.wait, 'wait', true);
        const describe = {
          target,
          operation: 'DescribeDBInstances',
          args: { DBInstanceIdentifier: params.dbInstanceIdentifier },
        };
        const tag = {
          target,
          operation: 'AddTagsToResource',
          args: { ResourceName: '<DBInstanceArn>', Tags: [{ Key: PROMOTED_TAG, Value: ctx.run.id }] },
        };
        return {
          summary: `promote read replica ${params.dbInstanceIdentifier}${wait ? ' and wait until it is available' : ''}`,
          calls: [
            describe,
            tag,
            { target, operation: 'PromoteReadReplica', args: input(params) },
            tag,
            ...(wait ? [{ ...describe, operation: 'waitUntilDBInstanceAvailable' }] : []),
          ],
        };
      },
    },
  ),
);

function notReplica(id: string): ActionError {
  return new ActionError(
    `${id} is not a read replica, and no run of this tool promoted it: nothing to promote (check the identifier)`,
    { code: 'invalid-state' },
  );
}

/** Tags the replica with {@link PROMOTED_TAG} before the promotion (see there for why). */
async function markPromoted(
  rds: RDSClient,
  db: DBInstance | undefined,
  region: string | undefined,
  ctx: { signal: AbortSignal; run: { id: string } },
): Promise<void> {
  if (!db?.DBInstanceArn) return;
  await awsCall(
    { service: 'rds', operation: 'AddTagsToResource', resource: db.DBInstanceIdentifier ?? '', region },
    ctx.signal,
    (o) =>
      rds.send(
        new AddTagsToResourceCommand({
          ResourceName: db.DBInstanceArn,
          Tags: [{ Key: PROMOTED_TAG, Value: ctx.run.id }],
        }),
        o,
      ),
  );
}

function input(params: AwsRdsPromoteReadReplicaParams) {
  return compact({
    DBInstanceIdentifier: params.dbInstanceIdentifier,
    BackupRetentionPeriod: int(params.backupRetentionPeriod, 'backupRetentionPeriod'),
    PreferredBackupWindow: params.preferredBackupWindow,
  });
}
