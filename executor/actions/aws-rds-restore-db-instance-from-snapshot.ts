import { RestoreDBInstanceFromDBSnapshotCommand } from '@aws-sdk/client-rds';
import type { ActionDefinition } from './action.js';
import { NAME_LIMITS, withFittedNames } from '../aws/names.js';
import { awsClients } from '../aws/clients.js';
import { awsCall } from '../aws/call.js';
import { bool, planTarget, str, maskedPlan } from '../aws/params.js';
import type { InstanceResult } from '../aws/rds.js';
import { restoreInstance, restoreSettings } from '../aws/restore.js';
import type { AwsRdsRestoreDbInstanceFromSnapshotParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRdsRestoreDbInstanceFromSnapshotParams };

/**
 * Creates a new instance from a snapshot (RestoreDBInstanceFromDBSnapshot) and waits until it
 * is available. The instance is tagged with the run id (see RUN_TAG), so a retry adopts it.
 */
export const awsRdsRestoreDbInstanceFromSnapshotAction: ActionDefinition<
  AwsRdsRestoreDbInstanceFromSnapshotParams,
  InstanceResult
> = maskedPlan(
  withFittedNames(
    { dbInstanceIdentifier: NAME_LIMITS.rdsInstance, dbSnapshotIdentifier: NAME_LIMITS.rdsSnapshot },
    {
      id: 'aws.rds.restore-db-instance-from-snapshot',

      async run(params, ctx) {
        const id = str(params.dbInstanceIdentifier, 'dbInstanceIdentifier');
        str(params.dbSnapshotIdentifier, 'dbSnapshotIdentifier');
        const { rds, region } = awsClients(params.region);
        const call = {
          service: 'rds',
          operation: 'RestoreDBInstanceFromDBSnapshot',
          resource: `${id} (from ${params.dbSnapshotIdentifier})`,
          region,
        } as const;
        return restoreInstance(
          rds,
          id,
          region,
          params,
          ctx,
          async () =>
            (
              await awsCall(call, ctx.signal, (o) =>
                rds.send(new RestoreDBInstanceFromDBSnapshotCommand(input(params, ctx.run.id)), o),
              )
            ).DBInstance,
        );
      },

      plan(params, ctx) {
        const target = planTarget('rds', params.region);
        const wait = bool(params.wait, 'wait', true);
        return {
          summary: `restore snapshot ${params.dbSnapshotIdentifier} as new RDS instance ${params.dbInstanceIdentifier}${wait ? ' and wait until it is available' : ''}`,
          calls: [
            { target, operation: 'RestoreDBInstanceFromDBSnapshot', args: input(params, ctx.run.id) },
            ...(wait
              ? [
                  {
                    target,
                    operation: 'waitUntilDBInstanceAvailable',
                    args: { DBInstanceIdentifier: params.dbInstanceIdentifier },
                  },
                ]
              : []),
          ],
        };
      },
    },
  ),
);

function input(params: AwsRdsRestoreDbInstanceFromSnapshotParams, runId: string) {
  return {
    DBInstanceIdentifier: params.dbInstanceIdentifier,
    DBSnapshotIdentifier: params.dbSnapshotIdentifier,
    ...restoreSettings(params, runId),
  };
}
