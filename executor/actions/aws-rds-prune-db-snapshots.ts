import { AddTagsToResourceCommand, DeleteDBSnapshotCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { ActionContext, ActionDefinition } from './action.js';
import { BACKUP_TAGS } from '../../ir/backup-tags.js';
import { parseDuration } from '../../ir/duration.js';
import { awsClients } from '../aws/clients.js';
import { awsCall } from '../aws/call.js';
import { isAwsError, isNotFound } from '../aws/errors.js';
import { ActionError } from '../core/errors.js';
import { planTarget, str, maskedPlan } from '../aws/params.js';
import { describeInstance } from '../aws/rds.js';
import { listManualSnapshots, snapshotEntry } from '../aws/snapshots.js';
import { planRetention, type RetentionDecision, type RetentionPolicy } from '../retention/plan.js';
import type { AwsRdsPruneDbSnapshotsParams } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { AwsRdsPruneDbSnapshotsParams };

/** x-result of aws.rds.prune-db-snapshots. */
export interface AwsRdsPruneDbSnapshotsResult {
  region: string | null;
  deleted: string[];
  archived: string[];
  kept: string[];
  decisions: RetentionDecision[];
  /** The instance's BackupRetentionPeriod when `hot` was given and the instance is in this region. */
  automatedRetentionDays: number | null;
}

/** RDS keeps automated backups at most 35 days (BackupRetentionPeriod 0–35, AWS RDS API reference). */
const MAX_AUTOMATED_DAYS = 35;

/**
 * Applies a BackupPlan's retention to the snapshots of one instance in one region (the source
 * region, or a `copyTo` region holding its copies): lists them (DescribeDBSnapshots, every page),
 * asks the pure planner (executor/retention/plan.ts), then deletes and marks what it decided.
 * Only snapshots this plan made are touched (see snapshotEntry); the newest is always kept.
 * Idempotent: a snapshot already gone (DBSnapshotNotFound) counts as deleted, marking twice is
 * harmless, so a retry or a resumed run converges.
 */
export const awsRdsPruneDbSnapshotsAction: ActionDefinition<
  AwsRdsPruneDbSnapshotsParams,
  AwsRdsPruneDbSnapshotsResult
> = maskedPlan({
  id: 'aws.rds.prune-db-snapshots',

  async run(params, ctx) {
    const instance = str(params.dbInstanceIdentifier, 'dbInstanceIdentifier');
    const owner = { plan: str(params.plan, 'plan'), target: str(params.target, 'target') };
    const policy = policyOf(params);
    const { rds, region } = awsClients(params.region);
    const now = ctx.clock.now();
    const snapshots = await listManualSnapshots(rds, instance, region, ctx);
    const entries = snapshots.map((s) => snapshotEntry(s, owner, now));
    const decisions = planRetention(entries, policy, now, { coldLocation: false, markArchive: true });
    const result: AwsRdsPruneDbSnapshotsResult = {
      region: region ?? null,
      deleted: [],
      archived: [],
      kept: [],
      decisions: decisions.filter((d) => d.action !== 'ignore'),
      automatedRetentionDays: null,
    };
    for (const d of decisions) {
      const s = snapshots.find((x) => x.DBSnapshotIdentifier === d.id);
      if (d.action === 'delete' && (await deleteSnapshot(rds, d.id, region, ctx))) result.deleted.push(d.id);
      else if (d.action === 'archive' && s?.DBSnapshotArn)
        await markArchive(rds, s.DBSnapshotArn, d.id, region, ctx).then(() => result.archived.push(d.id));
      else if (d.action !== 'ignore') result.kept.push(d.id);
      if (d.action !== 'ignore') ctx.log.info(`${d.id}: ${d.action} (${d.reason})`);
    }
    for (const list of [result.deleted, result.archived, result.kept]) list.sort();
    ctx.log.info(
      `${region ?? 'default region'}: ${result.deleted.length} deleted, ${result.archived.length} marked archive, ${result.kept.length} kept, ${entries.length - result.decisions.length} not made by this plan left alone`,
    );
    result.automatedRetentionDays = await checkHot(rds, instance, region, params.hot, ctx);
    return result;
  },

  plan(params) {
    const target = planTarget('rds', params.region);
    const tiers = [
      params.hot && `hot ${params.hot}`,
      params.cold && `cold ${params.cold}`,
      params.archive && `archive ${params.archive}`,
    ]
      .filter(Boolean)
      .join(', ');
    return {
      summary: `apply retention (${tiers}) to the snapshots of ${params.dbInstanceIdentifier} tagged ${BACKUP_TAGS.plan}=${params.plan}, ${BACKUP_TAGS.target}=${params.target} in ${target.slice('aws:rds:'.length)}`,
      calls: [
        {
          target,
          operation: 'DescribeDBSnapshots',
          args: { DBInstanceIdentifier: params.dbInstanceIdentifier, SnapshotType: 'manual' },
        },
        { target, operation: 'DeleteDBSnapshot', args: { DBSnapshotIdentifier: '<each snapshot past its retention>' } },
        ...(params.archive
          ? [
              {
                target,
                operation: 'AddTagsToResource',
                args: {
                  ResourceName: '<ARN of each monthly compliance copy>',
                  Tags: [{ Key: BACKUP_TAGS.retention, Value: 'archive' }],
                },
              },
            ]
          : []),
        ...(params.hot
          ? [{ target, operation: 'DescribeDBInstances', args: { DBInstanceIdentifier: params.dbInstanceIdentifier } }]
          : []),
      ],
    };
  },
});

/**
 * `hot` is the instance's automated backups, which RDS prunes itself after BackupRetentionPeriod
 * days. The plan does not change that setting (ModifyDBInstance on production; from 0 it is an
 * outage) but fails the step, after pruning, when it is shorter than `hot` (capped at RDS's 35).
 */
async function checkHot(
  rds: RDSClient,
  instance: string,
  region: string | undefined,
  hot: string | undefined,
  ctx: ActionContext,
): Promise<number | null> {
  if (hot === undefined || hot === '') return null;
  const hotMs = parseDuration(String(hot).trim());
  if (hotMs === undefined)
    throw new ActionError(`\`hot\` must be a duration like 30d, got ${JSON.stringify(hot)}`, {
      code: 'bad-params',
    });
  const db = await describeInstance(rds, instance, region, ctx, true);
  if (!db) {
    ctx.log.info(`${instance} is not in ${region ?? 'this region'}: its automated-backup retention is not checked`);
    return null;
  }
  const days = db.BackupRetentionPeriod ?? 0;
  const wanted = Math.min(MAX_AUTOMATED_DAYS, Math.ceil(hotMs / 86_400_000));
  if (days < wanted) {
    throw new ActionError(
      `${instance} keeps its automated backups ${days} days (BackupRetentionPeriod), shorter than the plan's hot ${hot}: raise it to ${wanted} (the plan never modifies the instance); snapshots were pruned`,
      { code: 'refused-unsafe' },
    );
  }
  return days;
}

function policyOf(params: AwsRdsPruneDbSnapshotsParams): RetentionPolicy {
  const read = (name: 'cold' | 'archive') => {
    const v = params[name];
    if (v === undefined || v === '') return undefined;
    const ms = parseDuration(String(v).trim());
    if (ms === undefined)
      throw new ActionError(`\`${name}\` must be a duration like 90d, got ${JSON.stringify(v)}`, {
        code: 'bad-params',
      });
    return ms;
  };
  const policy = { cold: read('cold'), archive: read('archive') };
  if (policy.cold === undefined && policy.archive === undefined)
    throw new ActionError('give `cold` and/or `archive`: without a retention nothing can be pruned', {
      code: 'bad-params',
    });
  return policy;
}

/** DeleteDBSnapshot; false when RDS refuses for the snapshot's state (in use by a copy or export: next run). */
async function deleteSnapshot(
  rds: RDSClient,
  id: string,
  region: string | undefined,
  ctx: ActionContext,
): Promise<boolean> {
  try {
    await awsCall({ service: 'rds', operation: 'DeleteDBSnapshot', resource: id, region }, ctx.signal, (o) =>
      rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }), o),
    );
    return true;
  } catch (error) {
    if (isNotFound(error)) return true; // deleted by an earlier attempt of this step
    if (!isAwsError(error, 'InvalidDBSnapshotState')) throw error;
    ctx.log.info(`${id} cannot be deleted in its current state: left for the next run`);
    return false;
  }
}

function markArchive(
  rds: RDSClient,
  arn: string,
  id: string,
  region: string | undefined,
  ctx: ActionContext,
): Promise<unknown> {
  return awsCall({ service: 'rds', operation: 'AddTagsToResource', resource: id, region }, ctx.signal, (o) =>
    rds.send(
      new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: BACKUP_TAGS.retention, Value: 'archive' }] }),
      o,
    ),
  );
}
