import {
  DeleteDBInstanceCommand,
  waitUntilDBInstanceDeleted,
  type DescribeDBInstancesCommandOutput,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { ActionDefinition } from './action.js';
import { NAME_LIMITS, withFittedNames } from '../aws/names.js';
import { awsClients } from '../aws/clients.js';
import { awsCall } from '../aws/call.js';
import { isAwsError, isNotFound } from '../aws/errors.js';
import { ActionError } from '../core/errors.js';
import { bool, compact, optBool, planTarget, str, maskedPlan } from '../aws/params.js';
import { describeInstance } from '../aws/rds.js';
import { waitFor, type SdkWaiter } from '../aws/waiters.js';
import type { AwsRdsDeleteDbInstanceParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRdsDeleteDbInstanceParams };

/** x-result of aws.rds.delete-db-instance. */
export interface AwsRdsDeleteDbInstanceResult {
  dbInstanceIdentifier: string;
  status: 'deleting' | 'deleted';
  finalDbSnapshotIdentifier: string | null;
}

/**
 * Deletes an instance (DeleteDBInstance) and waits until it is gone. Idempotent: an instance
 * that does not exist counts as deleted, and one already `deleting` is only waited for.
 */
export const awsRdsDeleteDbInstanceAction: ActionDefinition<
  AwsRdsDeleteDbInstanceParams,
  AwsRdsDeleteDbInstanceResult
> = maskedPlan(
  withFittedNames(
    { dbInstanceIdentifier: NAME_LIMITS.rdsInstance, finalDbSnapshotIdentifier: NAME_LIMITS.rdsSnapshot },
    {
      id: 'aws.rds.delete-db-instance',

      async run(params, ctx) {
        const id = str(params.dbInstanceIdentifier, 'dbInstanceIdentifier');
        const args = input(params);
        const { rds, region } = awsClients(params.region);
        const finalSnapshot = args.FinalDBSnapshotIdentifier ?? null;
        try {
          await awsCall({ service: 'rds', operation: 'DeleteDBInstance', resource: id, region }, ctx.signal, (o) =>
            rds.send(new DeleteDBInstanceCommand(args), o),
          );
        } catch (error) {
          if (isNotFound(error)) {
            ctx.log.info(`${id} does not exist: nothing to delete`);
            return { dbInstanceIdentifier: id, status: 'deleted', finalDbSnapshotIdentifier: null };
          }
          if (!isAwsError(error, 'InvalidDBInstanceState')) throw error;
          const db = await describeInstance(rds, id, region, ctx, true);
          if (db && db.DBInstanceStatus !== 'deleting') throw error;
          ctx.log.info(`${id} is already being deleted`);
        }
        if (!bool(params.wait, 'wait', true))
          return { dbInstanceIdentifier: id, status: 'deleting', finalDbSnapshotIdentifier: finalSnapshot };
        await waitDeleted(rds, id, region, ctx);
        return { dbInstanceIdentifier: id, status: 'deleted', finalDbSnapshotIdentifier: finalSnapshot };
      },

      plan(params) {
        const target = planTarget('rds', params.region);
        const wait = bool(params.wait, 'wait', true);
        return {
          summary: `delete RDS instance ${params.dbInstanceIdentifier}${input(params).SkipFinalSnapshot ? ' without a final snapshot' : ` after final snapshot ${params.finalDbSnapshotIdentifier}`}`,
          calls: [
            { target, operation: 'DeleteDBInstance', args: input(params) },
            ...(wait
              ? [
                  {
                    target,
                    operation: 'waitUntilDBInstanceDeleted',
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

function waitDeleted(rds: RDSClient, id: string, region: string | undefined, ctx: Parameters<typeof waitFor>[1]) {
  return waitFor(
    {
      call: { service: 'rds', operation: 'DescribeDBInstances', resource: id, region },
      client: rds,
      input: { DBInstanceIdentifier: id },
      waiter: waitUntilDBInstanceDeleted as SdkWaiter<RDSClient, unknown, DescribeDBInstancesCommandOutput>,
      target: 'deleted',
      statusOf: (o: DescribeDBInstancesCommandOutput) => o.DBInstances?.[0]?.DBInstanceStatus,
      // Not-found is the waiter's success here, not a reason to stop.
      missingEndsWait: false,
    },
    ctx,
  );
}

function input(params: AwsRdsDeleteDbInstanceParams) {
  const skip = bool(params.skipFinalSnapshot, 'skipFinalSnapshot', false);
  const finalSnapshot = params.finalDbSnapshotIdentifier?.trim() || undefined;
  if (!skip && !finalSnapshot) {
    throw new ActionError('`finalDbSnapshotIdentifier` is required unless `skipFinalSnapshot: true`', {
      code: 'bad-params',
    });
  }
  return compact({
    DBInstanceIdentifier: params.dbInstanceIdentifier,
    SkipFinalSnapshot: skip,
    FinalDBSnapshotIdentifier: skip ? undefined : finalSnapshot,
    DeleteAutomatedBackups: optBool(params.deleteAutomatedBackups, 'deleteAutomatedBackups'),
  });
}
