import { rmSync } from 'node:fs';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compiledRoot, runCliAsync, stepEndsOf } from '../../support/cli.js';
import { motoUnavailable, startMoto, type MotoServer } from '../../support/moto.js';

/**
 * Retention of RDS snapshots against moto, through the built CLI: aws.rds.prune-db-snapshots in
 * the source region and in a DR region, and a BackupPlan whose lowered snapshot step tags what it
 * creates. moto 4.2 limits met here, and the workarounds:
 * - moto sets SnapshotCreateTime (and has no OriginalSnapshotCreateTime) to the time of the call,
 *   so no snapshot can be made "100 days ago". The pruner ages a snapshot by the plan's
 *   `runbook:created-at` tag first (written at creation by the lowered steps, the run's start),
 *   so the test plants old snapshots by writing that tag;
 * - no cross-region CopyDBSnapshot by ARN: the DR-region "copies" are snapshots of a same-named
 *   instance created in us-west-2, carrying the tags the copy step writes (a copy keeps its
 *   source's DBInstanceIdentifier in AWS too, which is what the pruner lists by);
 * - DescribeDBSnapshots ignores MaxRecords and never answers a Marker: pagination is tested with a
 *   mocked client in prune.test.ts.
 */
const PLAN = 'moto-plan';
const DB = 'ecommerce-prod-db';
const DAY = 86_400_000;

const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: moto-prune, owner: "@acme/dba" }
spec:
  phases:
    - id: prune
      steps:
        - { id: source, uses: aws.rds.prune-db-snapshots, with: { region: us-east-1, dbInstanceIdentifier: ${DB}, plan: ${PLAN}, target: ${DB}, cold: 90d, archive: 365d } }
        - { id: dr, uses: aws.rds.prune-db-snapshots, with: { region: us-west-2, dbInstanceIdentifier: ${DB}, plan: ${PLAN}, target: ${DB}, cold: 90d, archive: 365d } }
`;
const backupPlan = `apiVersion: runbook/v1
kind: BackupPlan
metadata: { name: ${PLAN}, owner: "@acme/dba" }
spec:
  schedule: "0 3 * * *"
  targets: [ { id: ${DB}, type: rds, region: us-east-1, dbInstanceIdentifier: ${DB} } ]
  retention: { hot: 30d, cold: 90d, archive: 365d }
`;

let moto: MotoServer | undefined;
let root: string;
const rdsIn = (region: string) =>
  new RDSClient({
    endpoint: moto!.endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
const iso = (t: number) => new Date(t).toISOString();
const ours = (createdAt: number, extra: Record<string, string> = {}) =>
  Object.entries({ 'runbook:plan': PLAN, 'runbook:target': DB, 'runbook:created-at': iso(createdAt), ...extra }).map(
    ([Key, Value]) => ({ Key, Value }),
  );

async function plant(
  region: string,
  snapshots: { id: string; tags?: { Key: string; Value: string }[] }[],
  automatedDays = 30,
): Promise<void> {
  const rds = rdsIn(region);
  try {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: DB,
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'admin_user',
        MasterUserPassword: 'not-a-real-password',
        BackupRetentionPeriod: automatedDays,
      }),
    );
    for (const s of snapshots)
      await rds.send(
        new CreateDBSnapshotCommand({ DBInstanceIdentifier: DB, DBSnapshotIdentifier: s.id, Tags: s.tags }),
      );
  } finally {
    rds.destroy();
  }
}

async function snapshotsIn(region: string): Promise<Map<string, DBSnapshot>> {
  const rds = rdsIn(region);
  try {
    const out = await rds.send(new DescribeDBSnapshotsCommand({}));
    return new Map((out.DBSnapshots ?? []).map((s) => [s.DBSnapshotIdentifier!, s]));
  } finally {
    rds.destroy();
  }
}

describe.skipIf(motoUnavailable !== undefined)(
  `RDS retention against moto${motoUnavailable ? ` (skipped: ${motoUnavailable})` : ''}`,
  { timeout: 60_000 },
  () => {
    beforeAll(async () => {
      moto = await startMoto();
      root = compiledRoot('runbook-moto-prune-', { 'prune.yaml': runbook, 'plan.yaml': backupPlan });
    }, 60_000);
    afterAll(async () => {
      await moto?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });
    beforeEach(async () => {
      await moto!.reset();
    });

    const run = (name: string) => runCliAsync(['run', name, '--root', root], moto!.env());
    const ends = (stdout: string) => stepEndsOf(root, stdout);

    it('prunes the source region and the DR region, marks a monthly compliance copy, leaves foreign snapshots alone, and a re-run changes nothing', async () => {
      const now = Date.now();
      // Two snapshots of one UTC month, 100+ days ago: the older becomes the month's compliance copy.
      const month = new Date(now - 130 * DAY);
      const firstOfMonth = Date.UTC(month.getUTCFullYear(), month.getUTCMonth(), 1, 3);
      await plant('us-east-1', [
        { id: `${DB}-recent`, tags: ours(now - 10 * DAY) },
        { id: `${DB}-month-a`, tags: ours(firstOfMonth) },
        { id: `${DB}-month-b`, tags: ours(firstOfMonth + DAY) },
        { id: `${DB}-old-archive`, tags: ours(now - 400 * DAY, { 'runbook:retention': 'archive' }) },
        // Someone's own snapshot of the same instance: no tags.
        { id: `${DB}-pre-migration` },
        // A person's copy of one of ours made with CopyTags: our tags, not our name.
        { id: 'keep-me-forever', tags: ours(now - 400 * DAY) },
      ]);
      await plant('us-west-2', [
        { id: `${DB}-month-a-us-west-2`, tags: ours(firstOfMonth, { 'runbook:source-snapshot': `${DB}-month-a` }) },
        {
          id: `${DB}-month-b-us-west-2`,
          tags: ours(firstOfMonth + DAY, { 'runbook:source-snapshot': `${DB}-month-b` }),
        },
        { id: `${DB}-recent-us-west-2`, tags: ours(now - 5 * DAY) },
      ]);

      const first = await run('moto-prune');
      expect(first.status, first.stderr + moto!.log()).toBe(0);
      const a = ends(first.stdout);
      expect(a.source.outputs).toMatchObject({
        region: 'us-east-1',
        deleted: [`${DB}-month-b`, `${DB}-old-archive`].sort(),
        archived: [`${DB}-month-a`],
        kept: [`${DB}-recent`],
      });
      expect(a.dr.outputs).toMatchObject({
        region: 'us-west-2',
        deleted: [`${DB}-month-b-us-west-2`],
        archived: [`${DB}-month-a-us-west-2`],
        kept: [`${DB}-recent-us-west-2`],
      });

      const east = await snapshotsIn('us-east-1');
      expect([...east.keys()].sort()).toEqual(
        [`${DB}-month-a`, `${DB}-pre-migration`, `${DB}-recent`, 'keep-me-forever'].sort(),
      );
      expect(east.get(`${DB}-month-a`)?.TagList).toContainEqual({ Key: 'runbook:retention', Value: 'archive' });
      expect([...(await snapshotsIn('us-west-2')).keys()].sort()).toEqual([
        `${DB}-month-a-us-west-2`,
        `${DB}-recent-us-west-2`,
      ]);

      // Idempotent: the same decisions leave nothing to do.
      const second = await run('moto-prune');
      expect(second.status, second.stderr).toBe(0);
      const b = ends(second.stdout);
      expect(b.source.outputs).toMatchObject({
        deleted: [],
        archived: [],
        kept: [`${DB}-month-a`, `${DB}-recent`].sort(),
      });
      expect(b.dr.outputs).toMatchObject({
        deleted: [],
        archived: [],
        kept: [`${DB}-month-a-us-west-2`, `${DB}-recent-us-west-2`],
      });
      expect([...(await snapshotsIn('us-east-1')).keys()].sort()).toEqual([...east.keys()].sort());
    });

    it('a BackupPlan tags the snapshot it takes, then prunes its own old snapshots and never its newest', async () => {
      // Past archive (365d), so even as its month's compliance copy it goes.
      await plant('us-east-1', [{ id: `${DB}-ancient`, tags: ours(Date.now() - 400 * DAY) }]);
      const r = await run(PLAN);
      expect(r.status, r.stderr + moto!.log()).toBe(0);
      const e = ends(r.stdout);
      const taken = String(e[`snapshot-${DB}`].outputs?.snapshot);
      expect(e[`prune-${DB}`].outputs).toMatchObject({ deleted: [`${DB}-ancient`], kept: [taken] });
      const tags = Object.fromEntries(
        ((await snapshotsIn('us-east-1')).get(taken)?.TagList ?? []).map((t) => [t.Key, t.Value]),
      );
      expect(tags).toMatchObject({ 'runbook:plan': PLAN, 'runbook:target': DB });
      expect(Date.parse(String(tags['runbook:created-at']))).toBeGreaterThan(Date.now() - 60_000);
      expect(e[`prune-${DB}`].outputs).toMatchObject({ automatedRetentionDays: 30 });
    });

    it('a BackupPlan fails its prune step when the instance keeps automated backups shorter than hot', async () => {
      await plant('us-east-1', [], 7);
      const r = await run(PLAN);
      expect(r.status).not.toBe(0);
      const e = ends(r.stdout);
      expect(e[`snapshot-${DB}`].status).toBe('succeeded');
      expect(e[`prune-${DB}`]).toMatchObject({ status: 'failed', code: 'refused-unsafe' });
    });
  },
);
