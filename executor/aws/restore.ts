import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import type { AwsRdsRestoreDbInstanceFromSnapshotParams } from '../../common/actions-catalog/types.generated.js';
import type { ActionContext } from '../actions/action.js';
import { isAwsError } from './errors.js';
import { bool, compact, int, optBool, tagList } from './params.js';
import { describeInstance, instanceResult, waitInstanceAvailable, type InstanceResult } from './rds.js';

/**
 * The `with:` fields both restore actions share (the new instance's settings): the snapshot
 * restore's params (generated from its schema) without what names the source and the target.
 */
export type RestoreInstanceParams = Omit<
  AwsRdsRestoreDbInstanceFromSnapshotParams,
  'dbInstanceIdentifier' | 'dbSnapshotIdentifier'
>;

/**
 * Tag put on every restored instance: it names the run that created it, so a retry of the same
 * run can recognise its own instance after DBInstanceAlreadyExists (e.g. the first attempt's
 * wait timed out) and keep waiting, instead of failing or adopting someone else's instance.
 */
export const RUN_TAG = 'runbook:run-id';

/** SDK input fields for the new instance's settings, common to both restore commands. */
export function restoreSettings(params: RestoreInstanceParams, runId: string) {
  return compact({
    DBInstanceClass: params.dbInstanceClass,
    DBSubnetGroupName: params.dbSubnetGroupName,
    VpcSecurityGroupIds: params.vpcSecurityGroupIds?.length ? params.vpcSecurityGroupIds : undefined,
    AvailabilityZone: params.availabilityZone,
    MultiAZ: optBool(params.multiAz, 'multiAz'),
    PubliclyAccessible: optBool(params.publiclyAccessible, 'publiclyAccessible'),
    Port: int(params.port, 'port'),
    DBParameterGroupName: params.dbParameterGroupName,
    DeletionProtection: optBool(params.deletionProtection, 'deletionProtection'),
    Tags: tagList({ ...params.tags, [RUN_TAG]: runId }),
  });
}

/**
 * Sends a restore, adopts the instance when a previous attempt of this run already created it,
 * then waits for `available` when `wait` (default true).
 */
export async function restoreInstance(
  rds: RDSClient,
  id: string,
  region: string | undefined,
  params: RestoreInstanceParams,
  ctx: ActionContext,
  send: () => Promise<DBInstance | undefined>,
): Promise<InstanceResult> {
  let db: DBInstance | undefined;
  try {
    db = await send();
  } catch (error) {
    if (!isAwsError(error, 'DBInstanceAlreadyExists')) throw error;
    db = await describeInstance(rds, id, region, ctx, true);
    if (!db?.TagList?.some((t) => t.Key === RUN_TAG && t.Value === ctx.run.id)) throw error;
    ctx.log.info(`${id} was already created by this run (status ${db.DBInstanceStatus}): waiting for it`);
  }
  if (bool(params.wait, 'wait', true) && db?.DBInstanceStatus !== 'available') {
    db = (await waitInstanceAvailable(rds, id, region, ctx)).db ?? db;
  }
  return instanceResult(db, id);
}
