import pg from 'pg';
import { expect, it } from 'vitest';
import { describeInstance, recordTtl, recordValues, seedPrimaryAndReplica, seedZone } from './aws-state.js';
import { runStatus, describeLibrary, stepEnds } from './harness.js';
import { STUB_ANSWERS } from './stubs.js';

/**
 * The library's emergency-manual-failover runbook, unchanged, end to end through the built CLI
 * (see primary-region-failure.test.ts and harness.ts). Its order is the seed script's: DNS is
 * switched first, then the replica is promoted (the point of no return), then the app config is
 * patched and the DR region scaled up.
 */

/** A rollback that undid every completed reversible step (README, exit codes). */
const ROLLED_BACK = { exit: 5, status: 'rolled-back' } as const;
/**
 * A rollback that stopped at the promotion (irreversible) with the DNS switch before it still
 * applied: not every completed reversible step was undone (README, exit codes).
 */
const STOPPED_AT_PROMOTION = { exit: 7, status: 'rollback-incomplete' } as const;

const PRIMARY_ADDRESS = '1.2.3.4';
const DR_ADDRESS = '5.6.7.8';
const REPLICA = 'myapp-db-replica-west';

describeLibrary(
  'emergency-manual-failover',
  async (w) => {
    await seedZone(w.moto, [{ name: 'api.example.com', type: 'A', value: PRIMARY_ADDRESS }]);
  },
  (world) => {
    const seedReplica = () =>
      seedPrimaryAndReplica(world.moto, { primary: 'myapp-db', replica: REPLICA, drRegion: 'us-west-2' });
    const run = () =>
      world.run('emergency-manual-failover', {
        // The health endpoints are the capture server (loopback, answers 200), never the internet.
        inputs: {
          failover_reason: 'Route 53 failover did not trigger (ticket OPS-5678)',
          api_health_url: `${world.capture.url}/health/api`,
          app_health_url: `${world.capture.url}/health/app`,
        },
        approvals: { authorize: ['@jane-smith'] },
        as: '@john-doe',
      });
    const rollbackEvents = (r: Awaited<ReturnType<typeof run>>) =>
      r.records.filter((e) => e.type.startsWith('rollback:')).map((e) => [e.type, e.data]);

    it('fails over: DNS on the DR address, the replica promoted, the app config gets its endpoint, success notified', async () => {
      await seedReplica();
      const r = await run();
      expect(r.status, r.stdout + r.stderr + world.moto.log()).toBe(0);
      const ends = stepEnds(r);
      expect(ends['notify-failure']?.status).toBe('skipped');
      const failed = Object.entries(ends)
        .filter(([, e]) => !['succeeded', 'skipped'].includes(e.status))
        .map(([id, e]) => `${id}: ${e.status} ${e.error ?? ''}`);
      expect(failed).toEqual([]);

      const granted = r.records
        .filter((e) => e.type === 'approval:granted' && e.stepId === 'authorize')
        .map((e) => (e.data as { approval: { approver: string; verified: boolean } }).approval);
      expect(granted.map((g) => [g.approver, g.verified])).toEqual([['@jane-smith', true]]);

      expect(await recordValues(world.moto, 'api.example.com', 'A')).toEqual([DR_ADDRESS]);
      const promoted = await describeInstance(world.moto, 'us-west-2', REPLICA);
      expect(promoted?.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
      const endpoint = promoted?.Endpoint?.Address;
      expect(endpoint).toMatch(/^myapp-db-replica-west\..*\.us-west-2\.rds\.amazonaws\.com$/);

      const calls = world.stubCalls();
      // update-app-config got the promoted endpoint from the action's result (issue 10: it was empty).
      expect(calls.find((l) => l.startsWith('kubectl patch configmap app-config'))).toContain(
        `DB_HOST\\":\\"${endpoint}\\"`,
      );
      expect(calls).toContain('kubectl scale deployment myapp-deployment --replicas=10');
      // The verification is the runbook's own checks (004 validate-recovery.sh), no external script.
      for (const id of ['verify-dns', 'verify-dr-db', 'verify-database', 'verify-api-health', 'verify-app-health'])
        expect(ends[id]?.status, id).toBe('succeeded');
      expect(stepEnds(r)['stop-on-failed-verification']?.status).toBe('skipped');

      const told = world.capture.bodies.join('\n');
      expect(told).toContain('FAILOVER_INITIATED');
      expect(told).toContain('FAILOVER_SUCCESS');
      expect(told).not.toContain('FAILOVER_FAILED');
    }, 120_000);

    it('a failed check scores the DR region below 0.8: FAILOVER_FAILED is sent and the run stops for a person', async () => {
      await seedReplica();
      // The database check finds no users table (42P01 fails at once, no retry): 2 of 3 checks
      // pass, 0.67 < 0.8 (002:935). Renamed back afterwards, the other tests use it.
      const sql = async (text: string) => {
        const client = new pg.Client({ connectionString: world.pg.primaryUrl });
        await client.connect();
        try {
          await client.query(text);
        } finally {
          await client.end();
        }
      };
      await sql('alter table users rename to users_gone');
      try {
        const r = await run();
        expect({ exit: r.status, status: runStatus(r) }, r.stdout + r.stderr).toEqual({ exit: 4, status: 'failed' });
        const ends = stepEnds(r);
        expect(ends['verify-database']?.status).toBe('failed');
        expect(ends['verify-dr-health']?.status).toBe('failed');
        expect(r.stdout + r.stderr).toContain('health score 0.67 below 0.8');
        expect(ends['notify-success']?.status).toBe('skipped');
        expect(ends['stop-on-failed-verification']?.status).toBe('failed');
        const told = world.capture.bodies.join('\n');
        expect(told).toContain('FAILOVER_FAILED');
        expect(told).toContain('database failed');
        expect(told).not.toContain('FAILOVER_SUCCESS');
      } finally {
        await sql('alter table users_gone rename to users');
      }
    }, 120_000);

    it('rolls DNS back to the primary address when the promotion after the switch fails', async () => {
      // No replica in the DR region: PromoteReadReplica answers DBInstanceNotFound.
      const r = await run();
      expect({ exit: r.status, status: runStatus(r) }, r.stdout + r.stderr).toEqual(ROLLED_BACK);
      expect(stepEnds(r)['promote-dr-db']?.status).toBe('failed');

      expect(await recordValues(world.moto, 'api.example.com', 'A')).toEqual([PRIMARY_ADDRESS]);
      expect(await recordTtl(world.moto, 'api.example.com', 'A')).toBe(300);
      expect(rollbackEvents(r)).toEqual([
        ['rollback:start', expect.objectContaining({ steps: ['stop-primary-traffic'] })],
        ['rollback:compensate', { stepId: 'stop-primary-traffic' }],
        ['rollback:step', expect.objectContaining({ stepId: 'stop-primary-traffic', status: 'succeeded' })],
        ['rollback:end', { status: 'complete' }],
      ]);
    }, 120_000);

    it('after the promotion, a failure undoes the app config but leaves DNS on the promoted DR region', async () => {
      await seedReplica();
      world.failStub('kubectl scale ');
      const r = await run();
      expect({ exit: r.status, status: runStatus(r) }, r.stdout + r.stderr).toEqual(STOPPED_AT_PROMOTION);

      // The rollback compensated update-app-config with the host it read before patching …
      const patches = world.stubCalls().filter((l) => l.startsWith('kubectl patch configmap app-config'));
      expect(patches).toHaveLength(2);
      expect(patches[1]).toContain(`DB_HOST\\":\\"${STUB_ANSWERS.previousDbHost}\\"`);
      // … then stopped at the promotion: pointing traffic back at the demoted primary would split
      // writes between two databases, so DNS stays on the DR region.
      expect(rollbackEvents(r).at(-1)).toEqual([
        'rollback:end',
        {
          status: 'stopped-at-irreversible',
          stoppedAt: 'promote-dr-db',
          notUndone: ['stop-primary-traffic'],
          reason: 'stopped at irreversible step promote-dr-db',
        },
      ]);
      expect(await recordValues(world.moto, 'api.example.com', 'A')).toEqual([DR_ADDRESS]);
    }, 120_000);
  },
);
