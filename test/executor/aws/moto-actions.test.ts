import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { bin, cliEnv, runIdOf, runCliAsync, compiledRoot, stepEndsOf } from '../../support/cli.js';
import { motoUnavailable, startMoto, type MotoServer } from '../../support/moto.js';

/**
 * Every `aws.*` action against moto (an AWS emulator nobody here wrote), through the built CLI as
 * users run it: small runbooks compiled into a temp root, then `runbook run`. One moto server for
 * the file, reset before each test. To keep the file short, one run covers many actions: the
 * failing cases use `onFailure: continue`, and each step's outcome is read from the run's audit
 * log (step:end), found by the run id the CLI printed.
 *
 * moto 4.2 limits met here (see ../shared/vendor/README.md), and how the tests live with them:
 * - every instance, snapshot and Route 53 change is ready at once (no `creating`, no `PENDING`),
 *   so a wait that must outlast a step timeout waits on a *stopped* instance, which never
 *   becomes `available`;
 * - PromoteReadReplica on an instance that is not a replica answers 200 (AWS answers
 *   InvalidDBInstanceState): the action checks the instance itself, which is what is tested;
 * - a same-region CopyDBSnapshot leaves SourceDBSnapshotIdentifier empty, as AWS does;
 * - CreateHealthCheck ignores CallerReference idempotency (AWS returns the same check): the
 *   re-run asserts the same caller reference, not the same id;
 * - point-in-time restore ignores the time, so only `useLatestRestorableTime` is used; it also
 *   removes the source instance's subnet group from moto's model, after which describing that
 *   instance's snapshots answers HTTP 500 (an HTML page) and a second restore from it fails: each
 *   run restores from its own source instance (pitr-src-1, pitr-src-2), never from prod-db.
 */
const ZONE = 'moto-example.test.';

const header = (name: string) => `apiVersion: runbook/v1
kind: Runbook
metadata: { name: ${name}, owner: "@acme/sre" }
spec:
  inputs: { zone: { type: string, required: true }, suffix: { type: string, required: true }, bad: { type: string, default: "" }, pitr_source: { type: string, default: pitr-src-1 } }
`;

const runbooks: Record<string, string> = {
  // Named like the library's backup plan so `<target>-verify-<run id>` is 70 characters (RDS allows 63).
  'happy.yaml': `${header('ecommerce-rds-daily-moto')}  phases:
    - id: rds
      steps:
        - { id: describe, uses: aws.rds.describe-db-instance, with: { dbInstanceIdentifier: prod-db } }
        - { id: snapshot, uses: aws.rds.create-db-snapshot, with: { dbInstanceIdentifier: prod-db, dbSnapshotIdentifier: "snap-{{inputs.suffix}}", wait: false } }
        - { id: wait-snapshot, uses: aws.rds.wait-available, with: { dbSnapshotIdentifier: "snap-{{inputs.suffix}}" } }
        - id: copy
          uses: aws.rds.copy-db-snapshot
          with: { region: us-east-1, sourceRegion: us-east-1, sourceDbSnapshotIdentifier: "snap-{{inputs.suffix}}", targetDbSnapshotIdentifier: "snap-{{inputs.suffix}}-copy" }
          outputs: { status: "{{result.status}}" }
        - id: restore
          uses: aws.rds.restore-db-instance-from-snapshot
          with: { dbInstanceIdentifier: "ecommerce-prod-db-verify-{{run.id}}", dbSnapshotIdentifier: "snap-{{inputs.suffix}}", dbInstanceClass: db.t3.medium }
          outputs: { id: "{{result.dbInstanceIdentifier}}" }
        - { id: wait-restored, uses: aws.rds.wait-available, with: { dbInstanceIdentifier: "ecommerce-prod-db-verify-{{run.id}}" }, outputs: { id: "{{result.dbInstanceIdentifier}}" } }
        - id: pitr
          uses: aws.rds.restore-db-instance-to-point-in-time
          with: { sourceDbInstanceIdentifier: "{{inputs.pitr_source}}", targetDbInstanceIdentifier: "pitr-{{run.id}}", useLatestRestorableTime: true }
        - { id: promote, uses: aws.rds.promote-read-replica, with: { dbInstanceIdentifier: prod-db-replica }, outputs: { already: "{{result.alreadyPromoted}}", status: "{{result.status}}" } }
        - { id: delete, uses: aws.rds.delete-db-instance, with: { dbInstanceIdentifier: "ecommerce-prod-db-verify-{{run.id}}", skipFinalSnapshot: true }, outputs: { id: "{{result.dbInstanceIdentifier}}" } }
        - { id: delete-again, uses: aws.rds.delete-db-instance, with: { dbInstanceIdentifier: "ecommerce-prod-db-verify-{{run.id}}", skipFinalSnapshot: true } }
        - { id: delete-pitr, uses: aws.rds.delete-db-instance, with: { dbInstanceIdentifier: "pitr-{{run.id}}", skipFinalSnapshot: true } }
    - id: dns
      steps:
        - { id: read-before, uses: aws.route53.get-record, with: { hostedZoneId: "{{inputs.zone}}", name: "API.Moto-Example.test", type: CNAME }, outputs: { exists: "{{result.exists}}" } }
        - id: upsert
          uses: aws.route53.upsert-record
          with: { hostedZoneId: "{{inputs.zone}}", name: "API.Moto-Example.test", type: CNAME, ttl: 60, value: "dr.moto-example.test" }
          outputs: { previous: "{{json result.previousValue}}", status: "{{result.status}}" }
        - { id: read-after, uses: aws.route53.get-record, with: { hostedZoneId: "{{inputs.zone}}", name: "api.moto-example.test.", type: CNAME }, outputs: { exists: "{{result.exists}}", value: "{{result.value}}" } }
        - id: health-check
          uses: aws.route53.create-health-check
          with: { callerReference: "hc-{{inputs.suffix}}", type: HTTPS, fullyQualifiedDomainName: dr.moto-example.test, port: 443, resourcePath: /health, tags: { team: sre } }
          outputs: { ref: "{{result.callerReference}}" }
`,
  'missing.yaml': `${header('aws-missing')}  onFailure: continue
  phases:
    - id: only
      steps:
        - { id: describe, uses: aws.rds.describe-db-instance, with: { dbInstanceIdentifier: nope-db } }
        - { id: snapshot, uses: aws.rds.create-db-snapshot, with: { dbInstanceIdentifier: nope-db, dbSnapshotIdentifier: "nope-{{inputs.suffix}}" } }
        - { id: wait-snapshot, uses: aws.rds.wait-available, with: { dbSnapshotIdentifier: nope-snap } }
        - { id: wait-instance, uses: aws.rds.wait-available, with: { dbInstanceIdentifier: nope-db } }
        - { id: copy, uses: aws.rds.copy-db-snapshot, with: { sourceDbSnapshotIdentifier: nope-snap, targetDbSnapshotIdentifier: nope-copy } }
        - { id: restore, uses: aws.rds.restore-db-instance-from-snapshot, with: { dbInstanceIdentifier: "r-{{inputs.suffix}}", dbSnapshotIdentifier: nope-snap } }
        - { id: pitr, uses: aws.rds.restore-db-instance-to-point-in-time, with: { sourceDbInstanceIdentifier: nope-db, targetDbInstanceIdentifier: "p-{{inputs.suffix}}", useLatestRestorableTime: true } }
        - { id: promote, uses: aws.rds.promote-read-replica, with: { dbInstanceIdentifier: nope-db } }
        - { id: promote-standalone, uses: aws.rds.promote-read-replica, with: { dbInstanceIdentifier: prod-db } }
        - { id: delete, uses: aws.rds.delete-db-instance, with: { dbInstanceIdentifier: nope-db, skipFinalSnapshot: true }, outputs: { status: "{{result.status}}" } }
        - { id: read, uses: aws.route53.get-record, with: { hostedZoneId: ZNOPE0000000, name: api.moto-example.test, type: CNAME } }
        - { id: upsert, uses: aws.route53.upsert-record, with: { hostedZoneId: ZNOPE0000000, name: api.moto-example.test, type: CNAME, value: x.example } }
`,
  'bad.yaml': `${header('aws-bad')}  onFailure: continue
  phases:
    - id: only
      steps:
        - { id: describe, uses: aws.rds.describe-db-instance, with: { dbInstanceIdentifier: "{{inputs.bad}}" } }
        - { id: snapshot, uses: aws.rds.create-db-snapshot, with: { dbInstanceIdentifier: prod-db, dbSnapshotIdentifier: "b-{{inputs.suffix}}", wait: "{{inputs.bad}}maybe" } }
        - { id: wait, uses: aws.rds.wait-available, with: { dbInstanceIdentifier: "{{inputs.bad}}" } }
        - { id: copy, uses: aws.rds.copy-db-snapshot, with: { sourceDbSnapshotIdentifier: x, targetDbSnapshotIdentifier: y, copyTags: "{{inputs.bad}}maybe" } }
        - { id: restore, uses: aws.rds.restore-db-instance-from-snapshot, with: { dbInstanceIdentifier: r, dbSnapshotIdentifier: s, port: "{{inputs.bad}}x" } }
        - { id: pitr, uses: aws.rds.restore-db-instance-to-point-in-time, with: { sourceDbInstanceIdentifier: prod-db, targetDbInstanceIdentifier: p, restoreTime: "{{inputs.bad}}yesterday" } }
        - { id: promote, uses: aws.rds.promote-read-replica, with: { dbInstanceIdentifier: prod-db-replica, backupRetentionPeriod: "{{inputs.bad}}soon" } }
        - { id: delete, uses: aws.rds.delete-db-instance, with: { dbInstanceIdentifier: prod-db, skipFinalSnapshot: "{{inputs.bad}}maybe" } }
        - { id: read, uses: aws.route53.get-record, with: { hostedZoneId: "{{inputs.zone}}", name: "{{inputs.bad}}", type: CNAME } }
        - { id: upsert, uses: aws.route53.upsert-record, with: { hostedZoneId: "{{inputs.zone}}", name: api.moto-example.test, type: CNAME, value: "{{inputs.bad}}" } }
        - { id: health-check, uses: aws.route53.create-health-check, with: { type: HTTPS, fullyQualifiedDomainName: x.example, port: "{{inputs.bad}}https" } }
`,
  'stuck.yaml': `${header('aws-stuck')}  phases:
    - id: only
      steps:
        - { id: wait, uses: aws.rds.wait-available, timeout: 2s, with: { dbInstanceIdentifier: stopped-db } }
`,
};

let moto: MotoServer | undefined;
let root: string;
let zoneId = '';
const clients = () => ({
  rds: new RDSClient({
    endpoint: moto!.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  }),
});

async function createInstance(rds: RDSClient, id: string): Promise<void> {
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'admin_user',
      MasterUserPassword: 'not-a-real-password',
      BackupRetentionPeriod: 7,
    }),
  );
}

/** prod-db, its read replica and a hosted zone: what the library's failovers start from. */
async function seed(): Promise<void> {
  const { rds } = clients();
  const route53 = new Route53Client({
    endpoint: moto!.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    for (const id of ['prod-db', 'pitr-src-1', 'pitr-src-2']) await createInstance(rds, id);
    await rds.send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: 'prod-db-replica',
        SourceDBInstanceIdentifier: 'prod-db',
      }),
    );
    const zone = await route53.send(new CreateHostedZoneCommand({ Name: ZONE, CallerReference: `zone-${Date.now()}` }));
    zoneId = (zone.HostedZone?.Id ?? '').replace('/hostedzone/', '');
  } finally {
    rds.destroy();
    route53.destroy();
  }
}

const describeMoto = describe.skipIf(motoUnavailable !== undefined);

describeMoto(
  `aws.* actions against moto${motoUnavailable ? ` (skipped: ${motoUnavailable})` : ''}`,
  { timeout: 60_000 },
  () => {
    beforeAll(async () => {
      moto = await startMoto();
      root = compiledRoot('runbook-moto-', runbooks);
    }, 60_000);
    afterAll(async () => {
      await moto?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });
    beforeEach(async () => {
      await moto!.reset();
      await seed();
    });

    const run = (name: string, inputs: Record<string, string>) =>
      runCliAsync(
        ['run', name, '--root', root, ...Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`])],
        moto!.env(),
      );
    /** Each step's last step:end of a run (by the id it printed). */
    const ends = (stdout: string) => stepEndsOf(root, stdout);

    it('happy path, then an idempotent re-run: every action succeeds both times', async () => {
      const first = await run('ecommerce-rds-daily-moto', { zone: zoneId, suffix: 'a1' });
      expect(first.status, first.stderr).toBe(0);
      const a = ends(first.stdout);
      for (const [id, end] of Object.entries(a)) expect(end.status, `${id}: ${end.error}`).toBe('succeeded');
      // The 70-character name was fitted to RDS's 63, the same way by restore, wait and delete.
      // (Results are read through declared outputs: the step:end event carries outputs only.)
      const restored = String(a.restore.outputs?.id);
      expect(restored).toMatch(/^ecommerce-prod-db-verify-/);
      expect(restored.length).toBeLessThanOrEqual(63);
      expect(a['wait-restored'].outputs?.id).toBe(restored);
      expect(a.delete.outputs?.id).toBe(restored);
      expect(a.copy.outputs?.status).toBe('available');
      expect(a.promote.outputs).toMatchObject({ already: false, status: 'available' });
      expect(a['read-before'].outputs).toMatchObject({ exists: false });
      expect(a.upsert.outputs).toMatchObject({ previous: 'null', status: 'INSYNC' });
      expect(a['read-after'].outputs).toMatchObject({ exists: true, value: 'dr.moto-example.test' });
      expect(a['health-check'].outputs).toMatchObject({ ref: 'hc-a1' });

      // Same snapshot names, same record: adopted or unchanged, never a failure.
      const second = await run('ecommerce-rds-daily-moto', { zone: zoneId, suffix: 'a1', pitr_source: 'pitr-src-2' });
      expect(second.status, second.stderr + moto!.log()).toBe(0);
      const b = ends(second.stdout);
      for (const [id, end] of Object.entries(b)) expect(end.status, `${id}: ${end.error}`).toBe('succeeded');
      expect(b.promote.outputs).toMatchObject({ already: true });
      expect(b.upsert.outputs).toMatchObject({ previous: '"dr.moto-example.test"' });
      expect(b['health-check'].outputs).toMatchObject({ ref: 'hc-a1' });

      // Route 53 keeps names lower-case with the final dot: one record, not two differing in case.
      const route53 = new Route53Client({
        endpoint: moto!.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
      try {
        const sets = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
        expect((sets.ResourceRecordSets ?? []).filter((s) => s.Type === 'CNAME').map((s) => s.Name)).toEqual([
          'api.moto-example.test.',
        ]);
      } finally {
        route53.destroy();
      }
    });

    it('a missing resource fails its step clearly (deleting a missing instance is a success)', async () => {
      const r = await run('aws-missing', { zone: zoneId, suffix: 'm1' });
      const e = ends(r.stdout);
      const failed = [
        'describe',
        'snapshot',
        'wait-snapshot',
        'wait-instance',
        'copy',
        'restore',
        'pitr',
        'promote',
        'read',
        'upsert',
      ];
      for (const id of failed) {
        expect(e[id]?.status, `${id}: ${JSON.stringify(e[id])}`).toBe('failed');
        expect(e[id].code, `${id}: ${e[id].error}`).toBe('not-found');
      }
      expect(e['promote-standalone']).toMatchObject({ status: 'failed', code: 'invalid-state' });
      expect(e.delete).toMatchObject({ status: 'succeeded', outputs: { status: 'deleted' } });
    });

    it('a bad parameter fails its step before any call, saying which parameter', async () => {
      const r = await run('aws-bad', { zone: zoneId, suffix: 'b1' });
      const e = ends(r.stdout);
      const expected: Record<string, RegExp> = {
        describe: /dbInstanceIdentifier/,
        snapshot: /`wait` must be a boolean/,
        wait: /give `dbInstanceIdentifier`/,
        copy: /`copyTags` must be a boolean/,
        restore: /`port` must be an integer/,
        pitr: /`restoreTime` must be an ISO 8601/,
        promote: /`backupRetentionPeriod` must be an integer/,
        delete: /`skipFinalSnapshot` must be a boolean/,
        read: /`name` must be a non-empty string/,
        upsert: /`value` is empty/,
        'health-check': /`port` must be an integer/,
      };
      for (const [id, pattern] of Object.entries(expected)) {
        expect(e[id]?.status, `${id}: ${JSON.stringify(e[id])}`).toBe('failed');
        expect(e[id].code, `${id}: ${e[id].error}`).toBe('bad-params');
        // Naming the parameter is the behaviour under test.
        expect(e[id].error, id).toMatch(pattern);
      }
    });

    it('a step timeout during a waiter ends the process within 1 s of the abort', async () => {
      const { rds } = clients();
      try {
        await createInstance(rds, 'stopped-db');
        await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'stopped-db' }));
        const d = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'stopped-db' }));
        expect(d.DBInstances?.[0]?.DBInstanceStatus).toBe('stopped');
      } finally {
        rds.destroy();
      }
      const child = spawn(
        process.execPath,
        [bin, 'run', 'aws-stuck', '--root', root, '--input', `zone=${zoneId}`, '--input', 'suffix=t1'],
        {
          env: cliEnv(moto!.env()),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const exitedAt = await new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
      const text = readFileSync(join(root, '.runbook', 'runs', runIdOf(stdout), 'audit.jsonl'), 'utf8');
      const end = parseAuditText(text).records.find((rec) => rec.type === 'step:end' && rec.stepId === 'wait');
      expect(end?.data).toMatchObject({ status: 'timed-out' });
      // The SDK waiter's own sleep (30 s between RDS polls) used to keep the process alive.
      expect(exitedAt - Date.parse(end!.ts)).toBeLessThan(1_000);
    });
  },
);
