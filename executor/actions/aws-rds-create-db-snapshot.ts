import { CreateDBSnapshotCommand, type DBSnapshot } from '@aws-sdk/client-rds';
import type { ActionDefinition } from './action.js';
import { NAME_LIMITS, withFittedNames } from '../aws/names.js';
import { awsClients } from '../aws/clients.js';
import { awsCall } from '../aws/call.js';
import { isAwsError } from '../aws/errors.js';
import { bool, compact, planTarget, str, tagList, maskedPlan } from '../aws/params.js';
import { describeSnapshot, snapshotResult, waitSnapshotAvailable } from '../aws/rds.js';
import type { AwsRdsCreateDbSnapshotParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRdsCreateDbSnapshotParams };

/** x-result of aws.rds.create-db-snapshot. */
export interface AwsRdsCreateDbSnapshotResult {
  dbSnapshotIdentifier: string;
  dbSnapshotArn: string;
  status: string;
  snapshotCreateTime: string | null;
}

/**
 * Creates a manual snapshot (CreateDBSnapshot) and waits until it is available. A retry finding
 * the snapshot already there, taken of the same instance, adopts it instead of failing on
 * DBSnapshotAlreadyExists: snapshot identifiers usually carry the run id, so it is ours.
 */
export const awsRdsCreateDbSnapshotAction: ActionDefinition<
  AwsRdsCreateDbSnapshotParams,
  AwsRdsCreateDbSnapshotResult
> = maskedPlan(
  withFittedNames(
    { dbInstanceIdentifier: NAME_LIMITS.rdsInstance, dbSnapshotIdentifier: NAME_LIMITS.rdsSnapshot },
    {
      id: 'aws.rds.create-db-snapshot',

      async run(params, ctx) {
        const instance = str(params.dbInstanceIdentifier, 'dbInstanceIdentifier');
        const id = str(params.dbSnapshotIdentifier, 'dbSnapshotIdentifier');
        const { rds, region } = awsClients(params.region);
        let snapshot: DBSnapshot | undefined;
        try {
          const out = await awsCall(
            { service: 'rds', operation: 'CreateDBSnapshot', resource: id, region },
            ctx.signal,
            (o) => rds.send(new CreateDBSnapshotCommand(input(params)), o),
          );
          snapshot = out.DBSnapshot;
        } catch (error) {
          if (!isAwsError(error, 'DBSnapshotAlreadyExists')) throw error;
          snapshot = await describeSnapshot(rds, id, region, ctx);
          if (snapshot?.DBInstanceIdentifier !== instance) throw error;
          ctx.log.info(`snapshot ${id} of ${instance} already exists (status ${snapshot.Status}): using it`);
        }
        if (bool(params.wait, 'wait', true) && snapshot?.Status !== 'available') {
          snapshot = (await waitSnapshotAvailable(rds, id, region, ctx)).snapshot ?? snapshot;
        }
        return snapshotResult(snapshot, id, 'creating');
      },

      plan(params) {
        const target = planTarget('rds', params.region);
        const wait = bool(params.wait, 'wait', true);
        return {
          summary: `snapshot RDS instance ${params.dbInstanceIdentifier} as ${params.dbSnapshotIdentifier}${wait ? ' and wait until it is available' : ''}`,
          calls: [
            { target, operation: 'CreateDBSnapshot', args: input(params) },
            ...(wait
              ? [
                  {
                    target,
                    operation: 'waitUntilDBSnapshotAvailable',
                    args: { DBSnapshotIdentifier: params.dbSnapshotIdentifier },
                  },
                ]
              : []),
          ],
        };
      },
    },
  ),
);

function input(params: AwsRdsCreateDbSnapshotParams) {
  return compact({
    DBInstanceIdentifier: params.dbInstanceIdentifier,
    DBSnapshotIdentifier: params.dbSnapshotIdentifier,
    Tags: tagList(params.tags),
  });
}
