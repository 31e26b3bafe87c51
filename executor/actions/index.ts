import type { ActionId, ActionParamsMap, ActionResultMap } from '../../common/actions-catalog/index.js';
import type { ActionDefinition } from './action.js';
import { lazyRegistry, type ActionRegistry } from './registry.js';

/**
 * The catalogue's implementations, one line per action, keyed by its id (`uses:`, the schema's
 * file name), each imported on first use (registry.ts). The `Conformance` check below holds each
 * line to its schema's generated types.
 */
const byId = {
  shell: () => import('./shell.js').then((m) => m.shellAction),
  'http.check': () => import('./http-check.js').then((m) => m.httpCheckAction),
  wait: () => import('./wait.js').then((m) => m.waitAction),
  'postgres.query': () => import('./postgres-query.js').then((m) => m.postgresQueryAction),
  'postgres.promote': () => import('./postgres-promote.js').then((m) => m.postgresPromoteAction),
  'postgres.replication-lag': () => import('./postgres-replication-lag.js').then((m) => m.postgresReplicationLagAction),
  'files.prune-backups': () => import('./files-prune-backups.js').then((m) => m.filesPruneBackupsAction),
  'aws.rds.describe-db-instance': () =>
    import('./aws-rds-describe-db-instance.js').then((m) => m.awsRdsDescribeDbInstanceAction),
  'aws.rds.promote-read-replica': () =>
    import('./aws-rds-promote-read-replica.js').then((m) => m.awsRdsPromoteReadReplicaAction),
  'aws.rds.create-db-snapshot': () =>
    import('./aws-rds-create-db-snapshot.js').then((m) => m.awsRdsCreateDbSnapshotAction),
  'aws.rds.copy-db-snapshot': () => import('./aws-rds-copy-db-snapshot.js').then((m) => m.awsRdsCopyDbSnapshotAction),
  'aws.rds.restore-db-instance-from-snapshot': () =>
    import('./aws-rds-restore-db-instance-from-snapshot.js').then((m) => m.awsRdsRestoreDbInstanceFromSnapshotAction),
  'aws.rds.restore-db-instance-to-point-in-time': () =>
    import('./aws-rds-restore-db-instance-to-point-in-time.js').then(
      (m) => m.awsRdsRestoreDbInstanceToPointInTimeAction,
    ),
  'aws.rds.delete-db-instance': () =>
    import('./aws-rds-delete-db-instance.js').then((m) => m.awsRdsDeleteDbInstanceAction),
  'aws.rds.wait-available': () => import('./aws-rds-wait-available.js').then((m) => m.awsRdsWaitAvailableAction),
  'aws.rds.prune-db-snapshots': () =>
    import('./aws-rds-prune-db-snapshots.js').then((m) => m.awsRdsPruneDbSnapshotsAction),
  'aws.route53.upsert-record': () =>
    import('./aws-route53-upsert-record.js').then((m) => m.awsRoute53UpsertRecordAction),
  'aws.route53.get-record': () => import('./aws-route53-get-record.js').then((m) => m.awsRoute53GetRecordAction),
  'aws.route53.create-health-check': () =>
    import('./aws-route53-create-health-check.js').then((m) => m.awsRoute53CreateHealthCheckAction),
  notify: () => import('./notify.js').then((m) => m.notifyAction),
  checklist: () => import('./checklist.js').then((m) => m.checklistAction),
  manual: () => import('./manual.js').then((m) => m.manualAction),
  approval: () => import('./approval.js').then((m) => m.approvalAction),
  runbook: () => import('./runbook.js').then((m) => m.runbookAction),
  // `unknown`, not `() => Promise<…>`: a contextual return type would widen each loader's inferred
  // definition to `unknown` (then() infers from it), and the check below would see nothing.
} satisfies Record<ActionId, unknown>;

/** The definition a line of `byId` loads. */
type Loaded<K extends ActionId> = (typeof byId)[K] extends () => Promise<infer D> ? D : never;

type ParamsOf<D> = D extends ActionDefinition<infer P, unknown> ? P : never;
type ResultOf<D> = D extends ActionDefinition<never, infer R> ? R : never;

/**
 * Per action: `true` when it accepts every `with` its schema allows (the generated Params are
 * assignable to its params) and returns what its `x-result` documents (its result is assignable
 * to the generated Result); otherwise the action id and the side that drifted, as a type error.
 */
type Conformance = {
  [K in ActionId]: [ActionParamsMap[K]] extends [ParamsOf<Loaded<K>>]
    ? [ResultOf<Loaded<K>>] extends [ActionResultMap[K]]
      ? true
      : ['result does not match x-result', K]
    : ['params do not accept the with schema', K];
};
type Holds<T extends { readonly [K in ActionId]: true }> = T;
export type ActionsConform = Holds<Conformance>;

/**
 * Every action by id (`uses:`), loaded on first use. Typed with `never` params so each definition
 * keeps its own params type; the scheduler passes params validated against the action's schema at
 * compile time.
 */
export const actions: ActionRegistry = lazyRegistry(
  byId as Record<string, () => Promise<ActionDefinition<never, unknown>>> as Record<
    string,
    () => Promise<ActionDefinition>
  >,
);
