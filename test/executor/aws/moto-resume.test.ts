import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateDBInstanceCommand, RDSClient, StartDBInstanceCommand, StopDBInstanceCommand } from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { runIdOf, compiledRoot } from '../../support/cli.js';
import { cliSync, startCli, waitFor } from '../../support/crash.js';
import { motoUnavailable, startMoto, type MotoServer } from '../../support/moto.js';

/**
 * kill -9 of the executor while an RDS waiter polls moto, then `runbook resume`: the read-only
 * wait is re-run without asking and the run completes once the instance is available.
 *
 * moto 4.2 makes every instance `available` at once, so the wait is on a *stopped* instance (which
 * never becomes available by itself); the test starts it (StartDBInstance) after the kill, the way
 * an operator's fix would land while the run was down. The kill lands only once the journal holds
 * the wait's step:start and moto has answered a poll after it: no clock decides where it lands.
 */
const RUNBOOK = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: rds-wait-resume, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - { id: wait, uses: aws.rds.wait-available, timeout: 10m, with: { dbInstanceIdentifier: paused-db } }
        - { id: after, uses: aws.rds.describe-db-instance, needs: [wait], with: { dbInstanceIdentifier: paused-db } }
`;

let moto: MotoServer | undefined;
let root: string;
const rds = () =>
  new RDSClient({
    endpoint: moto!.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

describe.skipIf(motoUnavailable !== undefined)(
  `resume after kill -9 during an AWS waiter${motoUnavailable ? ` (skipped: ${motoUnavailable})` : ''}`,
  { timeout: 90_000 },
  () => {
    beforeAll(async () => {
      moto = await startMoto();
      root = compiledRoot('runbook-moto-resume-', { 'wait.yaml': RUNBOOK });
    }, 60_000);
    afterAll(async () => {
      await moto?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('the killed wait is re-run by resume and the run succeeds once the instance is available', async () => {
      const client = rds();
      try {
        await client.send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: 'paused-db',
            Engine: 'postgres',
            DBInstanceClass: 'db.t3.micro',
            AllocatedStorage: 20,
            MasterUsername: 'admin_user',
            MasterUserPassword: 'not-a-real-password',
          }),
        );
        await client.send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'paused-db' }));

        const cli = startCli(['run', 'rds-wait-resume', '--root', root], { cwd: root, env: moto!.env() });
        const journal = () => {
          try {
            return readFileSync(join(root, '.runbook', 'runs', runIdOf(cli.output()), 'audit.jsonl'), 'utf8');
          } catch {
            return '';
          }
        };
        await waitFor(() => journal().includes('"step:start"'), 'the wait step to start');
        const seen = moto!.requests();
        await waitFor(() => moto!.requests() > seen, 'a poll of the waiter after step:start');
        cli.child.kill('SIGKILL');
        const killed = await cli.ended;
        expect(killed.signal).toBe('SIGKILL');
        const runId = runIdOf(killed.stdout);
        expect(parseAuditText(journal()).records.some((r) => r.type === 'step:end')).toBe(false);

        await client.send(new StartDBInstanceCommand({ DBInstanceIdentifier: 'paused-db' }));
        const resumed = cliSync(['resume', runId, '--root', root], root, moto!.env());
        expect(resumed.status, resumed.stdout + resumed.stderr + moto!.log()).toBe(0);

        const records = parseAuditText(
          readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8'),
        ).records;
        const ends = records
          .filter((r) => r.type === 'step:end')
          .map((r) => [r.stepId, (r.data as { status: string }).status]);
        expect(ends).toEqual([
          ['wait', 'succeeded'],
          ['after', 'succeeded'],
        ]);
        // Two starts of the wait: the killed one and the re-run (read-only: re-run without a decision).
        expect(records.filter((r) => r.type === 'step:start' && r.stepId === 'wait')).toHaveLength(2);
      } finally {
        client.destroy();
      }
    });
  },
);
