import type { ActionDefinition } from './action.js';
import { NAME_LIMITS, withFittedNames } from '../aws/names.js';
import { awsClients } from '../aws/clients.js';
import { planTarget, str, maskedPlan } from '../aws/params.js';
import { describeInstance, instanceResult, type InstanceResult } from '../aws/rds.js';
import type { AwsRdsDescribeDbInstanceParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRdsDescribeDbInstanceParams };

/** x-result of aws.rds.describe-db-instance. */
export interface AwsRdsDescribeDbInstanceResult extends InstanceResult {
  dbInstanceArn?: string;
  engine?: string;
  engineVersion?: string;
  dbInstanceClass?: string;
  multiAz?: boolean;
  availabilityZone: string | null;
  readReplicaSourceDbInstanceIdentifier: string | null;
  readReplicaDbInstanceIdentifiers: string[];
  latestRestorableTime: string | null;
}

/** Reads the state of an RDS instance (DescribeDBInstances); a missing instance fails the step. */
export const awsRdsDescribeDbInstanceAction: ActionDefinition<
  AwsRdsDescribeDbInstanceParams,
  AwsRdsDescribeDbInstanceResult
> = maskedPlan(
  withFittedNames(
    { dbInstanceIdentifier: NAME_LIMITS.rdsInstance },
    {
      id: 'aws.rds.describe-db-instance',

      async run(params, ctx) {
        const id = str(params.dbInstanceIdentifier, 'dbInstanceIdentifier');
        const { rds, region } = awsClients(params.region);
        const db = await describeInstance(rds, id, region, ctx);
        return {
          ...instanceResult(db, id),
          dbInstanceArn: db?.DBInstanceArn,
          engine: db?.Engine,
          engineVersion: db?.EngineVersion,
          dbInstanceClass: db?.DBInstanceClass,
          multiAz: db?.MultiAZ,
          availabilityZone: db?.AvailabilityZone ?? null,
          readReplicaSourceDbInstanceIdentifier: db?.ReadReplicaSourceDBInstanceIdentifier ?? null,
          readReplicaDbInstanceIdentifiers: db?.ReadReplicaDBInstanceIdentifiers ?? [],
          latestRestorableTime: db?.LatestRestorableTime ? new Date(db.LatestRestorableTime).toISOString() : null,
        };
      },

      plan(params) {
        return {
          summary: `describe RDS instance ${params.dbInstanceIdentifier}`,
          calls: [
            {
              target: planTarget('rds', params.region),
              operation: 'DescribeDBInstances',
              args: { DBInstanceIdentifier: params.dbInstanceIdentifier },
            },
          ],
        };
      },
    },
  ),
);
