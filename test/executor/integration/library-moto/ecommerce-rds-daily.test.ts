import pg from 'pg';
import { expect, it } from 'vitest';
import { instanceIds, seedPrimaryAndReplica, snapshots } from './aws-state.js';
import { runStatus, describeLibrary } from './harness.js';

/**
 * The library's ecommerce-rds-daily BackupPlan, unchanged, end to end through the built CLI:
 * snapshot, copy to us-west-2, restore to a temporary instance, integrity checks, delete, prune,
 * report. Assertions are on behaviour (what exists in moto afterwards, what the report says, the
 * exit code), not on the lowering's step ids, which other work on issue 10 changes.
 *
 * How the checks reach a database: moto's restored instance has an endpoint
 * (`<id>.aaaaaaaaaa.us-east-1.rds.amazonaws.com`) that resolves nowhere. The checks connect to
 * that host with VERIFY_DATABASE_URL's credentials and port (postgres.query `host:` replaces the
 * host only), so VERIFY_DATABASE_URL is a throwaway PostgreSQL holding the shop's tables, and the
 * CLI child loads test/support/rds-hosts-preload.mjs, which resolves `*.rds.amazonaws.com` to
 * 127.0.0.1, like an /etc/hosts entry (product code unchanged).
 * moto limit met: no cross-region snapshot copy by ARN (test/support/moto-patches fills it).
 */

describeLibrary(
  'ecommerce-rds-daily',
  async (w) => {
    // Only the source instance is used; the replica makes the account look like production.
    await seedPrimaryAndReplica(w.moto, {
      primary: 'ecommerce-prod-db',
      replica: 'ecommerce-prod-db-replica',
      drRegion: 'us-west-2',
    });
  },
  (world) => {
    const run = () => world.run('ecommerce-rds-daily', { as: '@dana-lee' });
    const reports = () => world.capture.bodies.filter((b) => b.includes('Backup Verification Report'));

    it('snapshots, copies to the DR region, verifies a restore against the checks, deletes it and reports', async () => {
      const r = await run();
      expect(r.status, r.stdout + r.stderr + world.moto.log()).toBe(0);
      expect(runStatus(r)).toBe('succeeded');

      // The snapshot of this run in us-east-1, and its copy in us-west-2.
      const east = (await snapshots(world.moto, 'us-east-1')).filter(
        (s) => s.DBInstanceIdentifier === 'ecommerce-prod-db',
      );
      expect(east.map((s) => s.DBSnapshotIdentifier)).toEqual([expect.stringContaining(r.runId)]);
      const west = await snapshots(world.moto, 'us-west-2');
      expect(west).toHaveLength(1);
      expect(west[0].DBSnapshotArn).toMatch(/^arn:aws:rds:us-west-2:\d+:snapshot:ecommerce-prod-db-/);
      expect(west[0].TagList?.map((t) => t.Value)).toContain(east[0].DBSnapshotArn);

      // The temporary instance is gone: only the source remains in us-east-1.
      expect(await instanceIds(world.moto, 'us-east-1')).toEqual(['ecommerce-prod-db']);

      expect(reports().length).toBeGreaterThan(0);
      expect(reports()[0]).toContain('E-commerce RDS daily snapshot, DR copy and restore verification');
    }, 120_000);

    it('a failing check fails the run (the checks query the restored data)', async () => {
      const broken = await negativeOrder();
      try {
        const r = await run();
        expect(r.status, r.stdout + r.stderr).not.toBe(0);
        expect(runStatus(r)).toBe('failed');
        // Exactly the check that sees the negative total failed, the others passed.
        const failed = r.records
          .filter((e) => e.type === 'step:end' && (e.data as { status: string }).status === 'failed')
          .map((e) => e.stepId);
        expect(failed).toEqual([expect.stringContaining('negative-order-totals')]);
      } finally {
        await broken.undo();
      }
    }, 120_000);

    // Issue 10: a failed check used to abort the run before the delete and the report; the
    // BackupPlan lowering now puts both in `spec.finally`.
    it('a failing check still deletes the temporary instance, reports what failed, and fails the run', async () => {
      const broken = await negativeOrder();
      try {
        const r = await run();
        expect(r.status).not.toBe(0);
        expect(runStatus(r)).toBe('failed');
        expect(await instanceIds(world.moto, 'us-east-1')).toEqual(['ecommerce-prod-db']);
        expect(reports().join('\n')).toContain('negative-order-totals');
      } finally {
        await broken.undo();
      }
    }, 120_000);

    /** An order with a negative total: the negative-order-totals check fails on it. */
    async function negativeOrder(): Promise<{ undo(): Promise<void> }> {
      const client = new pg.Client({ connectionString: world.pg.primaryUrl });
      await client.connect();
      const { rows } = await client.query<{ id: number }>(
        `insert into orders (customer_id, total_amount) values (1, -10) returning id`,
      );
      return {
        async undo() {
          await client.query('delete from orders where id = $1', [rows[0].id]);
          await client.end();
        },
      };
    }
  },
);
