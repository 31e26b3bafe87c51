import type { ActionId, ActionParamsMap, ActionResultMap } from '../../common/actions-catalog/index.js';
import type { ActionDefinition } from './action.js';
import { approvalAction } from './approval.js';
import { awsRdsCopyDbSnapshotAction } from './aws-rds-copy-db-snapshot.js';
import { awsRdsCreateDbSnapshotAction } from './aws-rds-create-db-snapshot.js';
import { awsRdsDeleteDbInstanceAction } from './aws-rds-delete-db-instance.js';
import { awsRdsDescribeDbInstanceAction } from './aws-rds-describe-db-instance.js';
import { awsRdsPruneDbSnapshotsAction } from './aws-rds-prune-db-snapshots.js';
import { awsRdsPromoteReadReplicaAction } from './aws-rds-promote-read-replica.js';
import { awsRdsRestoreDbInstanceFromSnapshotAction } from './aws-rds-restore-db-instance-from-snapshot.js';
import { awsRdsRestoreDbInstanceToPointInTimeAction } from './aws-rds-restore-db-instance-to-point-in-time.js';
import { awsRdsWaitAvailableAction } from './aws-rds-wait-available.js';
import { awsRoute53CreateHealthCheckAction } from './aws-route53-create-health-check.js';
import { awsRoute53GetRecordAction } from './aws-route53-get-record.js';
import { awsRoute53UpsertRecordAction } from './aws-route53-upsert-record.js';
import { checklistAction } from './checklist.js';
import { filesPruneBackupsAction } from './files-prune-backups.js';
import { httpCheckAction } from './http-check.js';
import { manualAction } from './manual.js';
import { notifyAction } from './notify.js';
import { postgresPromoteAction } from './postgres-promote.js';
import { postgresQueryAction } from './postgres-query.js';
import { postgresReplicationLagAction } from './postgres-replication-lag.js';
import { runbookAction } from './runbook.js';
import { shellAction } from './shell.js';
import { waitAction } from './wait.js';

/**
 * The catalogue's implementations, one line per action, keyed by its id (`uses:`, the schema's
 * file name). The `Conforming` check below holds each line to its schema's generated types.
 */
const byId = {
  shell: shellAction,
  'http.check': httpCheckAction,
  wait: waitAction,
  'postgres.query': postgresQueryAction,
  'postgres.promote': postgresPromoteAction,
  'postgres.replication-lag': postgresReplicationLagAction,
  'files.prune-backups': filesPruneBackupsAction,
  'aws.rds.describe-db-instance': awsRdsDescribeDbInstanceAction,
  'aws.rds.promote-read-replica': awsRdsPromoteReadReplicaAction,
  'aws.rds.create-db-snapshot': awsRdsCreateDbSnapshotAction,
  'aws.rds.copy-db-snapshot': awsRdsCopyDbSnapshotAction,
  'aws.rds.restore-db-instance-from-snapshot': awsRdsRestoreDbInstanceFromSnapshotAction,
  'aws.rds.restore-db-instance-to-point-in-time': awsRdsRestoreDbInstanceToPointInTimeAction,
  'aws.rds.delete-db-instance': awsRdsDeleteDbInstanceAction,
  'aws.rds.wait-available': awsRdsWaitAvailableAction,
  'aws.rds.prune-db-snapshots': awsRdsPruneDbSnapshotsAction,
  'aws.route53.upsert-record': awsRoute53UpsertRecordAction,
  'aws.route53.get-record': awsRoute53GetRecordAction,
  'aws.route53.create-health-check': awsRoute53CreateHealthCheckAction,
  notify: notifyAction,
  checklist: checklistAction,
  manual: manualAction,
  approval: approvalAction,
  runbook: runbookAction,
} satisfies Record<ActionId, unknown>;

type ParamsOf<D> = D extends ActionDefinition<infer P, unknown> ? P : never;
type ResultOf<D> = D extends ActionDefinition<never, infer R> ? R : never;

/**
 * Per action: `true` when it accepts every `with` its schema allows (the generated Params are
 * assignable to its params) and returns what its `x-result` documents (its result is assignable
 * to the generated Result); otherwise the action id and the side that drifted, as a type error.
 */
type Conformance = {
  [K in ActionId]: [ActionParamsMap[K]] extends [ParamsOf<(typeof byId)[K]>]
    ? [ResultOf<(typeof byId)[K]>] extends [ActionResultMap[K]]
      ? true
      : ['result does not match x-result', K]
    : ['params do not accept the with schema', K];
};
type Holds<T extends { readonly [K in ActionId]: true }> = T;
export type ActionsConform = Holds<Conformance>;

/**
 * Every action by id (`uses:`). Typed with `never` params so each definition keeps its own params
 * type; the scheduler passes params validated against the action's schema at compile time.
 */
export const actions: ReadonlyMap<string, ActionDefinition> = new Map(
  Object.entries(byId as Record<string, ActionDefinition<never, unknown>>).map(([id, a]) => {
    // A definition filed under another id is a programming error, caught at load.
    if (a.id !== id) throw new Error(`action ${a.id} is listed as ${id}`);
    return [id, a as ActionDefinition];
  }),
);
