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
 * The catalogue, one line per action. Typed with `never` params so each definition keeps its own
 * params type (an interface is not assignable to Record<string, unknown>); the scheduler passes
 * params validated against the action's schema at compile time.
 */
const list: readonly ActionDefinition<never, unknown>[] = [
  shellAction,
  httpCheckAction,
  waitAction,
  postgresQueryAction,
  postgresPromoteAction,
  postgresReplicationLagAction,
  filesPruneBackupsAction,
  awsRdsDescribeDbInstanceAction,
  awsRdsPromoteReadReplicaAction,
  awsRdsCreateDbSnapshotAction,
  awsRdsCopyDbSnapshotAction,
  awsRdsRestoreDbInstanceFromSnapshotAction,
  awsRdsRestoreDbInstanceToPointInTimeAction,
  awsRdsDeleteDbInstanceAction,
  awsRdsWaitAvailableAction,
  awsRdsPruneDbSnapshotsAction,
  awsRoute53UpsertRecordAction,
  awsRoute53GetRecordAction,
  awsRoute53CreateHealthCheckAction,
  notifyAction,
  checklistAction,
  manualAction,
  approvalAction,
  runbookAction,
];

/** Every action by id (`uses:`). Two definitions with one id are a programming error, caught at load. */
export const actions: ReadonlyMap<string, ActionDefinition> = new Map(list.map((a) => [a.id, a as ActionDefinition]));

if (actions.size !== list.length) {
  const ids = list.map((a) => a.id);
  throw new Error(`duplicate action ids: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
}
