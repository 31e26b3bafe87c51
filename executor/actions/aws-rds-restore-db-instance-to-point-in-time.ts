import { RestoreDBInstanceToPointInTimeCommand } from '@aws-sdk/client-rds';
import type { ActionDefinition } from './action.js';
import { NAME_LIMITS, withFittedNames } from '../aws/names.js';
import { awsClients } from '../aws/clients.js';
import { awsCall } from '../aws/call.js';
import { ActionError } from '../core/errors.js';
import { bool, compact, planTarget, str, maskedPlan } from '../aws/params.js';
import type { InstanceResult } from '../aws/rds.js';
import { restoreInstance, restoreSettings } from '../aws/restore.js';
import type { AwsRdsRestoreDbInstanceToPointInTimeParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRdsRestoreDbInstanceToPointInTimeParams };

/**
 * Creates a new instance from the source's backups at a point in time
 * (RestoreDBInstanceToPointInTime) and waits until it is available. Exactly one of `restoreTime`
 * and `useLatestRestorableTime: true` must be given: AWS rejects both, and neither is ambiguous.
 */
export const awsRdsRestoreDbInstanceToPointInTimeAction: ActionDefinition<
  AwsRdsRestoreDbInstanceToPointInTimeParams,
  InstanceResult
> = maskedPlan(
  withFittedNames(
    { sourceDbInstanceIdentifier: NAME_LIMITS.rdsInstance, targetDbInstanceIdentifier: NAME_LIMITS.rdsInstance },
    {
      id: 'aws.rds.restore-db-instance-to-point-in-time',

      async run(params, ctx) {
        const id = str(params.targetDbInstanceIdentifier, 'targetDbInstanceIdentifier');
        const source = str(params.sourceDbInstanceIdentifier, 'sourceDbInstanceIdentifier');
        const args = input(params, ctx.run.id);
        const { rds, region } = awsClients(params.region);
        const call = {
          service: 'rds',
          operation: 'RestoreDBInstanceToPointInTime',
          resource: `${id} (from ${source})`,
          region,
        } as const;
        return restoreInstance(
          rds,
          id,
          region,
          params,
          ctx,
          async () =>
            (await awsCall(call, ctx.signal, (o) => rds.send(new RestoreDBInstanceToPointInTimeCommand(args), o)))
              .DBInstance,
        );
      },

      plan(params, ctx) {
        const target = planTarget('rds', params.region);
        const wait = bool(params.wait, 'wait', true);
        const args = input(params, ctx.run.id);
        const when = args.UseLatestRestorableTime ? 'the latest restorable time' : String(params.restoreTime);
        return {
          summary: `restore ${params.sourceDbInstanceIdentifier} to ${when} as new RDS instance ${params.targetDbInstanceIdentifier}${wait ? ' and wait until it is available' : ''}`,
          calls: [
            {
              target,
              operation: 'RestoreDBInstanceToPointInTime',
              args: compact({ ...args, RestoreTime: args.RestoreTime?.toISOString() }),
            },
            ...(wait
              ? [
                  {
                    target,
                    operation: 'waitUntilDBInstanceAvailable',
                    args: { DBInstanceIdentifier: params.targetDbInstanceIdentifier },
                  },
                ]
              : []),
          ],
        };
      },
    },
  ),
);

function input(params: AwsRdsRestoreDbInstanceToPointInTimeParams, runId: string) {
  const latest = bool(params.useLatestRestorableTime, 'useLatestRestorableTime', false);
  const time =
    typeof params.restoreTime === 'string' && params.restoreTime.trim()
      ? new Date(params.restoreTime.trim())
      : undefined;
  if (latest === (time !== undefined)) {
    throw new ActionError('give exactly one of `restoreTime` and `useLatestRestorableTime: true`', {
      code: 'bad-params',
    });
  }
  if (time && Number.isNaN(time.getTime())) {
    throw new ActionError(`\`restoreTime\` must be an ISO 8601 date-time, got ${JSON.stringify(params.restoreTime)}`, {
      code: 'bad-params',
    });
  }
  return compact({
    SourceDBInstanceIdentifier: params.sourceDbInstanceIdentifier,
    TargetDBInstanceIdentifier: params.targetDbInstanceIdentifier,
    RestoreTime: time,
    UseLatestRestorableTime: latest || undefined,
    ...restoreSettings(params, runId),
  });
}
