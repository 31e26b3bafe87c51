import { DescribeDBSnapshotsCommand, type DBSnapshot, type RDSClient } from '@aws-sdk/client-rds';
import type { ActionContext } from '../actions/action.js';
import { BACKUP_TAGS } from '../../ir/backup-tags.js';
import type { BackupEntry } from '../retention/plan.js';
import { awsCall } from './call.js';

type Ctx = Pick<ActionContext, 'signal'>;

/**
 * Every manual snapshot of an instance in one region. DescribeDBSnapshots answers at most
 * MaxRecords (20–100) per page and a `Marker` for the next one (AWS RDS API reference,
 * DescribeDBSnapshots): the loop follows it until it is absent. Copies keep the source
 * instance's DBInstanceIdentifier, so the same filter finds them in a DR region.
 */
export async function listManualSnapshots(
  rds: RDSClient,
  instance: string,
  region: string | undefined,
  ctx: Ctx,
): Promise<DBSnapshot[]> {
  const out: DBSnapshot[] = [];
  let marker: string | undefined;
  do {
    const page = await awsCall(
      { service: 'rds', operation: 'DescribeDBSnapshots', resource: `snapshots of ${instance}`, region },
      ctx.signal,
      (o) =>
        rds.send(
          new DescribeDBSnapshotsCommand({
            DBInstanceIdentifier: instance,
            SnapshotType: 'manual',
            MaxRecords: 100,
            Marker: marker,
          }),
          o,
        ),
    );
    out.push(...(page.DBSnapshots ?? []));
    marker = page.Marker || undefined;
  } while (marker);
  return out;
}

const tag = (s: DBSnapshot, key: string) => s.TagList?.find((t) => t.Key === key)?.Value;

/**
 * When the backup was taken: the plan's `runbook:created-at` tag (the run's start, the same on a
 * snapshot and its copies), else OriginalSnapshotCreateTime (AWS: "doesn't change when the
 * snapshot is copied"), else SnapshotCreateTime (which a copy resets). A tag that does not parse,
 * or lies in the future, is ignored.
 */
export function snapshotCreatedAt(s: DBSnapshot, now: number): number | undefined {
  const tagged = Date.parse(tag(s, BACKUP_TAGS.createdAt) ?? '');
  if (Number.isFinite(tagged) && tagged <= now) return tagged;
  const t = s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime;
  return t ? new Date(t).getTime() : undefined;
}

const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A snapshot as the retention planner sees it. Ours means a manual snapshot named `<target>-…` as
 * the lowering names them, AND either tagged with this plan and target, or (snapshots taken before
 * the plan tagged them) named exactly `<target>-<run id of this plan>[-<region>]`. Never tags
 * alone: a person copying one of our snapshots with CopyTags gets our tags on a snapshot we must
 * not delete.
 */
export function snapshotEntry(s: DBSnapshot, owner: { plan: string; target: string }, now: number): BackupEntry {
  const createdAt = snapshotCreatedAt(s, now);
  const id = s.DBSnapshotIdentifier ?? '';
  const tagged = tag(s, BACKUP_TAGS.plan) === owner.plan && tag(s, BACKUP_TAGS.target) === owner.target;
  const runName = new RegExp(
    `^${esc(owner.target)}-\\d{8}-\\d{6}-${esc(owner.plan)}-[0-9a-f]{4}(-[a-z]{2}(-[a-z]+)+-\\d)?$`,
  );
  const owned = s.SnapshotType === 'manual' && id.startsWith(`${owner.target}-`) && (tagged || runName.test(id));
  return {
    id,
    createdAt: createdAt ?? now,
    tier: tag(s, BACKUP_TAGS.retention) === 'archive' ? 'archive' : 'cold',
    complete: s.Status === 'available' && createdAt !== undefined,
    owned,
  };
}
