import type { ActionDefinition } from './action.js';
import { NAME_LIMITS, withFittedNames } from '../aws/names.js';
import { awsClients } from '../aws/clients.js';
import { ActionError } from '../core/errors.js';
import { planTarget, maskedPlan } from '../aws/params.js';
import { waitInstanceAvailable, waitSnapshotAvailable } from '../aws/rds.js';
import type { AwsRdsWaitAvailableParams, AwsRdsWaitAvailableResult } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRdsWaitAvailableParams };

/** Result of this action, generated from its `x-result` (common/actions-catalog/types.generated.ts). */
export type { AwsRdsWaitAvailableResult };

/**
 * Waits until a snapshot (when `dbSnapshotIdentifier` is given) or an instance is available,
 * with the SDK's waiters, bounded by the step's timeout. A missing resource fails at once.
 */
export const awsRdsWaitAvailableAction: ActionDefinition<AwsRdsWaitAvailableParams, AwsRdsWaitAvailableResult> =
  maskedPlan(
    withFittedNames(
      { dbInstanceIdentifier: NAME_LIMITS.rdsInstance, dbSnapshotIdentifier: NAME_LIMITS.rdsSnapshot },
      {
        id: 'aws.rds.wait-available',

        async run(params, ctx) {
          const { rds, region } = awsClients(params.region);
          const snapshotId = params.dbSnapshotIdentifier?.trim();
          if (snapshotId) {
            const { snapshot, waitedMs } = await waitSnapshotAvailable(rds, snapshotId, region, ctx);
            return { status: snapshot?.Status ?? 'available', dbSnapshotIdentifier: snapshotId, waitedMs };
          }
          const id = params.dbInstanceIdentifier?.trim();
          if (!id)
            throw new ActionError('give `dbInstanceIdentifier` or `dbSnapshotIdentifier`', {
              code: 'bad-params',
            });
          const { db, waitedMs } = await waitInstanceAvailable(rds, id, region, ctx);
          return {
            status: db?.DBInstanceStatus ?? 'available',
            dbInstanceIdentifier: id,
            endpoint: db?.Endpoint?.Address ?? null,
            waitedMs,
          };
        },

        plan(params) {
          const target = planTarget('rds', params.region);
          return params.dbSnapshotIdentifier
            ? {
                summary: `wait until RDS snapshot ${params.dbSnapshotIdentifier} is available`,
                calls: [
                  {
                    target,
                    operation: 'waitUntilDBSnapshotAvailable',
                    args: { DBSnapshotIdentifier: params.dbSnapshotIdentifier },
                  },
                ],
              }
            : {
                summary: `wait until RDS instance ${params.dbInstanceIdentifier} is available`,
                calls: [
                  {
                    target,
                    operation: 'waitUntilDBInstanceAvailable',
                    args: { DBInstanceIdentifier: params.dbInstanceIdentifier },
                  },
                ],
              };
        },
      },
    ),
  );
