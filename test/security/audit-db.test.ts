import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pgClient from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { noPostgres, skipReason } from '../executor/pg/context.js';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/** The PostgreSQL audit copy keeps whatever a script printed, NUL bytes included, and verifies. */
describe.skipIf(noPostgres)(noPostgres ? skipReason : 'the audit database', () => {
  let root: string;
  let pg: PgCluster | undefined;
  const writerPassword = 'nul-Writer-' + Math.random().toString(36).slice(2);
  const writerUrl = () => `postgres://nul_writer:${writerPassword}@127.0.0.1:${pg!.primaryPort}/postgres`;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(), timeout: 60_000 });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'runbook-auditdb-'));
    mkdirSync(join(root, 'runbooks'));
    writeFileSync(
      join(root, 'runbooks', 'nul.yaml'),
      `apiVersion: runbook/v1
kind: Runbook
metadata: { name: nul, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: emit
          run: |
            printf 'a\\0b\\n'
            printf 'x=a\\0b\\n' >> "$RUNBOOK_OUTPUT"
`,
    );
    expect(cli('compile').status).toBe(0);
    pg = await startPostgres();
    // As recommended: the tables made by an administrator, the run logged in as a writer.
    expect(cli('audit', 'db-setup', '--audit-db', pg.primaryUrl).status).toBe(0);
    const admin = new pgClient.Client({ connectionString: pg.primaryUrl });
    await admin.connect();
    await admin.query(`CREATE ROLE nul_writer LOGIN PASSWORD '${writerPassword}' IN ROLE runbook_audit_writer`);
    await admin.end();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('stores a record with a NUL byte and verifies it', () => {
    const run = cli('run', 'nul', '--as', '@ops', '--audit-db', writerUrl());
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const v = cli('audit', 'verify', '--db', writerUrl(), '--run', runIdOf(run.stdout));
    expect(v.status, v.stdout + v.stderr).toBe(0);
  });
});
