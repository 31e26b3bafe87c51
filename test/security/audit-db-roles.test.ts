import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { noPostgres, passwordOf, skipReason } from '../executor/pg/context.js';
import { bin, cliEnv, runCliAsync, runIdOf } from '../support/cli.js';

/**
 * The audit database with least privilege: `audit db-setup` makes an owner and a writer role,
 * a run works as the writer alone (never trying DDL), a missing table is a clear refusal that
 * frees the lock, and a role that could rewrite the trail is warned about and refused under CI.
 */
describe.skipIf(noPostgres)(noPostgres ? skipReason : 'audit database roles', { timeout: 120_000 }, () => {
  let root: string;
  let pg0: PgCluster | undefined;
  let admin: pg.Client;
  const writerPassword = 'wr1ter-Pa55-' + Math.random().toString(36).slice(2);
  const memberPassword = 'own3r-Member-' + Math.random().toString(36).slice(2);
  const urlAs = (user: string, password: string, db = 'postgres') =>
    `postgres://${user}:${password}@127.0.0.1:${pg0!.primaryPort}/${db}`;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [bin, ...args, '--root', root], {
      encoding: 'utf8',
      env: cliEnv(env),
      timeout: 60_000,
    });
  const secrets = () => [passwordOf(pg0!.primaryUrl), writerPassword, memberPassword];
  const expectNoSecret = (text: string) => secrets().forEach((s) => expect(text).not.toContain(s));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'runbook-auditdb-roles-'));
    mkdirSync(join(root, 'runbooks'));
    writeFileSync(
      join(root, 'runbooks', 'plain.yaml'),
      `apiVersion: runbook/v1
kind: Runbook
metadata: { name: plain, owner: "@acme/sre" }
spec:
  concurrency: plain-lock
  phases:
    - id: only
      steps:
        - { id: hello, run: echo hello }
`,
    );
    expect(cli(['compile']).status).toBe(0);
    pg0 = await startPostgres();
    admin = new pg.Client({ connectionString: pg0.primaryUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE empty_audit');
    // A login with no privilege at all but CONNECT: what an INSERT/SELECT role has in a database never set up.
    await admin.query(`CREATE ROLE lone_writer LOGIN PASSWORD '${writerPassword}'`);
  }, 120_000);
  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await pg0?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('db-setup creates the table, its trigger, an owner role and an INSERT/SELECT writer role; re-running changes nothing', async () => {
    const first = cli(['audit', 'db-setup', '--audit-db', pg0!.primaryUrl]);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/created role runbook_audit_owner/);
    expect(first.stdout).toMatch(/created role runbook_audit_writer/);
    expect(first.stdout).toMatch(/created table runbook_audit/);
    expectNoSecret(first.stdout + first.stderr);
    const again = cli(['audit', 'db-setup', '--audit-db', pg0!.primaryUrl]);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout, again.stdout).toMatch(/nothing to change/);
    expect(again.stdout).not.toMatch(/^\s*\+/m);

    const { rows } = await admin.query(`SELECT pg_get_userbyid(c.relowner) AS owner, o.rolcanlogin AS owner_login,
        has_table_privilege('runbook_audit_writer', 'runbook_audit', 'INSERT') AS ins,
        has_table_privilege('runbook_audit_writer', 'runbook_audit', 'SELECT') AS sel,
        has_table_privilege('runbook_audit_writer', 'runbook_audit', 'UPDATE') AS upd,
        has_table_privilege('runbook_audit_writer', 'runbook_audit', 'DELETE') AS del,
        has_table_privilege('runbook_audit_writer', 'runbook_audit', 'TRUNCATE') AS trunc,
        (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = c.oid AND tgname = 'runbook_audit_append_only') AS triggers
      FROM pg_class c, pg_roles o WHERE c.oid = 'runbook_audit'::regclass AND o.rolname = 'runbook_audit_owner'`);
    expect(rows[0]).toEqual({
      owner: 'runbook_audit_owner',
      owner_login: false,
      ins: true,
      sel: true,
      upd: false,
      del: false,
      trunc: false,
      triggers: 1,
    });
    await admin.query(`CREATE ROLE ci_runner LOGIN PASSWORD '${writerPassword}' IN ROLE runbook_audit_writer`);
    await admin.query(`CREATE ROLE dba_member LOGIN PASSWORD '${memberPassword}' IN ROLE runbook_audit_owner`);
    await admin.query('GRANT INSERT, SELECT ON runbook_audit TO dba_member');
  });

  it('a run as the writer role alone succeeds under CI, verifies, and cannot disable the trigger', async () => {
    const url = urlAs('ci_runner', writerPassword);
    const plan = cli(['plan', 'plain', '--audit-db', url]);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stderr).not.toMatch(/warning/);
    const run = await runCliAsync(['run', 'plain', '--as', '@ops', '--audit-db', url, '--root', root]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/warning/);
    expectNoSecret(run.stdout + run.stderr);
    const v = cli(['audit', 'verify', '--db', url, '--run', runIdOf(run.stdout)]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/run complete/);
    const writer = new pg.Client({ connectionString: url });
    await writer.connect();
    try {
      await expect(
        writer.query('ALTER TABLE runbook_audit DISABLE TRIGGER runbook_audit_append_only'),
      ).rejects.toMatchObject({ code: '42501' });
      await expect(writer.query('DELETE FROM runbook_audit')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await writer.end();
    }
  });

  it('a writer run without the table is refused naming db-setup, frees its lock and exits', async () => {
    const run = await runCliAsync(
      [
        'run',
        'plain',
        '--as',
        '@ops',
        '--audit-db',
        urlAs('lone_writer', writerPassword, 'empty_audit'),
        '--root',
        root,
      ],
      {},
      60_000,
    );
    expect(run.status, run.stdout + run.stderr).toBe(6);
    expect(run.stderr).toMatch(/runbook_audit does not exist/);
    expect(run.stderr).toMatch(/runbook audit db-setup/);
    expect(run.stderr).not.toMatch(/internal error/);
    expectNoSecret(run.stdout + run.stderr);
    const after = cli(['run', 'plain', '--as', '@ops']);
    expect(after.status, after.stdout + after.stderr).toBe(0);
  });

  it('db-setup with chosen role names takes back what pre-existing roles should not have', async () => {
    await admin.query('CREATE DATABASE named_roles');
    await admin.query(`CREATE ROLE audit_own LOGIN PASSWORD '${memberPassword}'`);
    await admin.query('CREATE ROLE audit_ins IN ROLE audit_own');
    const url = pg0!.primaryUrl.replace(/\/postgres$/, '/named_roles');
    const r = cli(['audit', 'db-setup', '--audit-db', url, '--owner-role', 'audit_own', '--writer-role', 'audit_ins']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/audit_own can no longer log in/);
    expect(r.stdout).toMatch(/audit_ins is no longer a member of audit_own/);
    expectNoSecret(r.stdout + r.stderr);
    const { rows } =
      await admin.query(`SELECT o.rolcanlogin AS login, pg_has_role('audit_ins', 'audit_own', 'MEMBER') AS member
      FROM pg_roles o WHERE o.rolname = 'audit_own'`);
    expect(rows[0]).toEqual({ login: false, member: false });
    const again = cli([
      'audit',
      'db-setup',
      '--audit-db',
      url,
      '--owner-role',
      'audit_own',
      '--writer-role',
      'audit_ins',
    ]);
    expect(again.stdout, again.stdout).toMatch(/nothing to change/);
  });

  it.each([
    ['a superuser', () => pg0!.primaryUrl],
    ['a member of the owner role', () => urlAs('dba_member', memberPassword)],
  ])('%s: plan warns, a CI run is refused, --allow-owner-role lets it run with a warning', async (_who, url) => {
    const plan = cli(['plan', 'plain', '--audit-db', url()]);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stderr).toMatch(/warning: .*can rewrite its own audit trail/);
    const refused = await runCliAsync(['run', 'plain', '--as', '@ops', '--audit-db', url(), '--root', root]);
    expect(refused.status, refused.stdout + refused.stderr).toBe(6);
    expect(refused.stderr).toMatch(/refusing to run under CI/);
    expect(refused.stderr).toMatch(/--allow-owner-role/);
    const allowed = await runCliAsync([
      'run',
      'plain',
      '--as',
      '@ops',
      '--audit-db',
      url(),
      '--allow-owner-role',
      '--root',
      root,
    ]);
    expect(allowed.status, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/warning: .*can rewrite its own audit trail/);
    expectNoSecret(plan.stdout + plan.stderr + refused.stdout + refused.stderr + allowed.stdout + allowed.stderr);
  });
});
