import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { bin, cliEnv, runCliAsync, runIdOf, compiledRoot } from '../../support/cli.js';
import { startCli, waitFor } from '../../support/crash.js';
import { holdingProxy, type HoldingProxy } from '../../support/holding-proxy.js';
import { motoUnavailable, startMoto, type MotoServer } from '../../support/moto.js';
import { newAuditDatabase } from '../../support/audit-db.js';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { noPostgres, skipReason } from '../pg/context.js';
import pg from 'pg';

/**
 * Rollback data survives a crash (issue 10, "Rollback data is durable"): the DNS switch of the
 * failover runbook (test/fixtures/rollback/runbooks/dns-rollback.yaml copies its step and its
 * rollback) is killed with SIGKILL at each point between "read the previous record" and "change
 * applied", resumed, then rolled back by a failing health check; the record must hold its ORIGINAL
 * value, not the DR target. Everything goes through the built CLI against moto.
 *
 * moto limit met, and the workaround: moto applies a change at once and answers INSYNC to
 * ChangeResourceRecordSets and to every GetChange, so there is no INSYNC wait to kill the CLI
 * in. The CLI talks to moto through test/support/holding-proxy.ts, which forwards everything
 * unchanged but answers PENDING while the test holds (and can keep a change request from ever
 * reaching moto, for the crash before the UPSERT).
 */
const ZONE = 'rollback-example.test.';
const RECORD = 'api.rollback-example.test.';
const ORIGINAL = 'primary-alb.us-east-1.elb.amazonaws.com';
const DR = 'dr-alb.us-west-2.elb.amazonaws.com';
const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'rollback', 'runbooks');

let moto: MotoServer | undefined;
let proxy: HoldingProxy | undefined;
let root: string;
let zoneId: string;
let cluster: PgCluster | undefined;
const writerPassword = 'durable-Writer-' + Math.random().toString(36).slice(2);

const describeMoto = describe.skipIf(motoUnavailable !== undefined);

describeMoto(
  `durable rollback data against moto${motoUnavailable ? ` (skipped: ${motoUnavailable})` : ''}`,
  { timeout: 90_000 },
  () => {
    const route53 = () =>
      new Route53Client({
        endpoint: moto!.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
    const env = () => ({ ...moto!.env(), AWS_ENDPOINT_URL: proxy!.endpoint });
    const journal = (runId: string): AuditRecord[] => {
      const path = join(root, '.runbook', 'runs', runId, 'audit.jsonl');
      return existsSync(path) ? parseAuditText(readFileSync(path, 'utf8')).records : [];
    };
    const recordValue = async (): Promise<string | undefined> => {
      const c = route53();
      try {
        const out = await c.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            StartRecordName: RECORD,
            StartRecordType: 'CNAME',
            MaxItems: 1,
          }),
        );
        const set = out.ResourceRecordSets?.find((s) => s.Name === RECORD && s.Type === 'CNAME');
        return set?.ResourceRecords?.[0]?.Value;
      } finally {
        c.destroy();
      }
    };
    const inputs = (dir: string) => ['--input', `zone=${zoneId}`, '--input', `dir=${dir}`];

    beforeAll(async () => {
      moto = await startMoto();
      proxy = await holdingProxy(moto.endpoint);
      root = compiledRoot(
        'runbook-durable-rollback-',
        Object.fromEntries(
          ['dns-rollback.yaml', 'dns-rollback-retry.yaml'].map((f) => [f, readFileSync(join(fixtures, f), 'utf8')]),
        ),
      );
    }, 60_000);
    afterAll(async () => {
      await cluster?.stop();
      await proxy?.stop();
      await moto?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });
    beforeEach(async () => {
      await moto!.reset();
      proxy!.reset();
      // The record exists before the failover, pointing at the primary region.
      const c = route53();
      try {
        const zone = await c.send(new CreateHostedZoneCommand({ Name: ZONE, CallerReference: `ref-${Date.now()}` }));
        zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
        await c.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: {
              Changes: [
                {
                  Action: 'UPSERT',
                  ResourceRecordSet: { Name: RECORD, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: ORIGINAL }] },
                },
              ],
            },
          }),
        );
      } finally {
        c.destroy();
      }
      expect(await recordValue()).toBe(ORIGINAL);
    });

    /** Kills the run once `ready` holds, resumes it (the health check fails), and returns the resume. */
    async function crashThenResume(ready: () => boolean, what: string, dir: string, extra: string[] = []) {
      const cli = startCli(['run', 'dns-rollback', '--root', root, ...inputs(dir), ...extra], {
        cwd: root,
        env: env(),
      });
      try {
        await waitFor(() => ready() || cli.child.exitCode !== null, what, 30_000);
        expect(cli.child.exitCode, cli.output()).toBeNull();
      } finally {
        cli.child.kill('SIGKILL');
      }
      const ended = await cli.ended;
      expect(ended.signal).toBe('SIGKILL');
      return { runId: runIdOf(ended.stdout), killed: ended };
    }

    it('kill -9 during the INSYNC wait, resume, rollback: the record holds its original value (fails with an in-memory previous value)', async () => {
      const dir = mkdtempSync(join(root, 'crash-wait-'));
      // The UPSERT went through once the runner polls GetChange: the crash is inside the wait.
      const { runId } = await crashThenResume(() => proxy!.polls() >= 1, 'the first GetChange poll', dir);
      expect(await recordValue()).toBe(DR);
      const saved = journal(runId).filter((r) => r.type === 'step:rollback-data');
      expect(saved.map((r) => r.data)).toMatchObject([
        { stepId: 'switch-dns-api', attempt: 1, data: { previous: { ResourceRecords: [{ Value: ORIGINAL }] } } },
      ]);
      // Journal first: the rollback data is durable before the change it describes.
      const rs = journal(runId);
      expect(rs.findIndex((r) => r.type === 'step:rollback-data')).toBeGreaterThan(
        rs.findIndex((r) => r.type === 'step:start'),
      );

      proxy!.release();
      const resumed = await runCliAsync(
        ['resume', runId, '--root', root, '--decide', 'switch-dns-api=rerun'],
        env(),
        60_000,
      );
      expect(resumed.status, resumed.stdout + resumed.stderr + moto!.log()).toBe(5);
      const end = journal(runId)
        .filter((r) => r.stepId === 'switch-dns-api' && r.type === 'step:end')
        .at(-1);
      expect(end?.data).toMatchObject({ status: 'succeeded', outputs: { previousValue: ORIGINAL } });
      expect(journal(runId).find((r) => r.type === 'rollback:step')?.data).toMatchObject({
        stepId: 'switch-dns-api',
        status: 'succeeded',
      });
      expect(await recordValue()).toBe(ORIGINAL);
      const verify = spawnSync(process.execPath, [bin, 'audit', 'verify', runId, '--root', root], {
        encoding: 'utf8',
        env: cliEnv(),
      });
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    });

    it('kill -9 after the rollback data was journaled but before the UPSERT: resume and rollback restore the original', async () => {
      const dir = mkdtempSync(join(root, 'crash-before-'));
      proxy!.blockChanges(true);
      const { runId } = await crashThenResume(() => proxy!.blocked() >= 1, 'the UPSERT request', dir);
      proxy!.blockChanges(false);
      // The change never reached moto; the journal has what the step read.
      expect(await recordValue()).toBe(ORIGINAL);
      expect(journal(runId).filter((r) => r.type === 'step:rollback-data')).toHaveLength(1);

      proxy!.release();
      const resumed = await runCliAsync(
        ['resume', runId, '--root', root, '--decide', 'switch-dns-api=rerun'],
        env(),
        60_000,
      );
      expect(resumed.status, resumed.stdout + resumed.stderr + moto!.log()).toBe(5);
      const end = journal(runId)
        .filter((r) => r.stepId === 'switch-dns-api' && r.type === 'step:end')
        .at(-1);
      expect(end?.data).toMatchObject({ status: 'succeeded', outputs: { previousValue: ORIGINAL } });
      expect(await recordValue()).toBe(ORIGINAL);
    });

    it('a retry after the UPSERT went through and the wait timed out keeps the original previous value', async () => {
      const dir = mkdtempSync(join(root, 'retry-'));
      const cli = startCli(['run', 'dns-rollback-retry', '--root', root, ...inputs(dir)], { cwd: root, env: env() });
      let runId = '';
      try {
        await waitFor(() => /^run id: \S+$/m.test(cli.output()), 'the run id', 30_000);
        runId = /^run id: (\S+)$/m.exec(cli.output())![1];
        // Attempt 1 times out (3 s) while the change is PENDING; attempt 2 finds it applied.
        await waitFor(
          () => journal(runId).some((r) => r.type === 'step:retry'),
          'the retry after the wait timed out',
          30_000,
        );
        proxy!.release();
      } catch (e) {
        cli.child.kill('SIGKILL');
        throw e;
      }
      const ended = await cli.ended;
      expect(ended.status, ended.stdout + ended.stderr).toBe(5);
      const ends = journal(runId).filter((r) => r.stepId === 'switch-dns-api' && r.type === 'step:end');
      expect(ends.at(-1)?.data).toMatchObject({
        status: 'succeeded',
        attempt: 2,
        outputs: { previousValue: ORIGINAL },
      });
      expect(await recordValue()).toBe(ORIGINAL);
    });
    it.skipIf(noPostgres)(
      `with an audit database, step:rollback-data and rollback:end are stored and both copies verify${noPostgres ? ` (skipped: ${skipReason})` : ''}`,
      async () => {
        cluster = await startPostgres();
        const c = new pg.Client({ connectionString: cluster.primaryUrl });
        await c.connect();
        await c.query(`CREATE ROLE durable_writer LOGIN PASSWORD '${writerPassword}'`).finally(() => c.end());
        const db = await newAuditDatabase(cluster, 'durable_rollback', {
          user: 'durable_writer',
          password: writerPassword,
        });
        const dir = mkdtempSync(join(root, 'crash-db-'));
        const { runId } = await crashThenResume(() => proxy!.polls() >= 1, 'the first GetChange poll', dir, [
          '--audit-db',
          db.writer,
        ]);
        proxy!.release();
        const resumed = await runCliAsync(
          ['resume', runId, '--root', root, '--audit-db', db.writer, '--decide', 'switch-dns-api=rerun'],
          env(),
          60_000,
        );
        expect(resumed.status, resumed.stdout + resumed.stderr).toBe(5);
        expect(await recordValue()).toBe(ORIGINAL);
        const q = new pg.Client({ connectionString: db.admin });
        await q.connect();
        const types = await q
          .query<{ type: string }>('SELECT type FROM runbook_audit WHERE run_id = $1 ORDER BY seq', [runId])
          .finally(() => q.end());
        // One per attempt (before the kill, and the re-run's), then the rollback's outcome.
        expect(types.rows.filter((r) => r.type === 'step:rollback-data')).toHaveLength(2);
        expect(types.rows.map((r) => r.type)).toContain('rollback:end');
        for (const args of [
          ['audit', 'verify', runId, '--root', root],
          ['audit', 'verify', '--db', db.admin, '--run', runId, '--root', root],
        ]) {
          const v = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: cliEnv() });
          expect(v.status, v.stdout + v.stderr).toBe(0);
        }
      },
      180_000,
    );
  },
);
