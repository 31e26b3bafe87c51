import pg from 'pg';
import { RunRefused } from '../core/errors.js';
import { ensureAuditTable, ensureParkedIndex, PARKED_INDEX } from './pg-sink.js';
import { CREATE_LOCKS } from '../lock/pg-lock.js';
import { ensureAnchorTable } from './pg-anchors.js';

/**
 * `runbook audit db-setup`: the audit database's roles and tables, made by an administrator so
 * that the executor never needs DDL. An owner role (NOLOGIN: nobody works as it) owns
 * `runbook_audit`, its append-only trigger and `runbook_locks`; a writer role gets only what a
 * run needs. Only the owner (or a member of it, or a superuser) can ALTER the table or DISABLE
 * its trigger (https://www.postgresql.org/docs/15/sql-altertable.html: "You must own the table
 * to use ALTER TABLE"), so a run that connects as the writer cannot rewrite its own history.
 */

export interface AuditRoles {
  /** NOLOGIN role owning the table and trigger. Default `runbook_audit_owner`. */
  readonly owner: string;
  /** Role granted INSERT and SELECT, for runs to log in through. Default `runbook_audit_writer`. */
  readonly writer: string;
}

export const defaultAuditRoles: AuditRoles = { owner: 'runbook_audit_owner', writer: 'runbook_audit_writer' };

/** One thing db-setup did or found already done; printed as is (never holds a password). */
export interface SetupStep {
  readonly done: boolean;
  readonly what: string;
}

/** Role names are identifiers spliced into DDL: only plain lower-case names are accepted. */
export function checkRoleName(name: string): string | undefined {
  return /^[a-z_][a-z0-9_]{0,62}$/.test(name)
    ? undefined
    : `role name ${JSON.stringify(name)} must match [a-z_][a-z0-9_]* (at most 63 characters)`;
}

/**
 * Creates what is missing and grants what is not granted, in one transaction: re-running it
 * changes nothing and reports every step as already done. Needs a superuser or a role with
 * CREATEROLE that can SET ROLE to the owner.
 */
export async function setupAuditDb(url: string, roles: AuditRoles): Promise<SetupStep[]> {
  // Roles are cluster-wide, but the advisory lock below is per database: db-setup run on two
  // databases of one cluster at once can race on CREATE ROLE. The loser's transaction rolled
  // back whole, so running it again (it then finds the role) is safe.
  for (let attempt = 1; ; attempt++) {
    try {
      return await setupOnce(url, roles);
    } catch (e) {
      const code = (e as { code?: string }).code;
      // 23505 unique_violation (pg_authid), 42710 duplicate_object: https://www.postgresql.org/docs/15/errcodes-appendix.html
      if (attempt >= 5 || (code !== '23505' && code !== '42710')) throw e;
    }
  }
}

async function setupOnce(url: string, roles: AuditRoles): Promise<SetupStep[]> {
  const c = new pg.Client({
    connectionString: url,
    application_name: 'runbook audit db-setup',
    connectionTimeoutMillis: 10_000,
  });
  c.on('error', () => undefined);
  await c.connect();
  const steps: SetupStep[] = [];
  try {
    await c.query('BEGIN');
    await c.query("SELECT pg_advisory_xact_lock(hashtext('runbook_audit ddl'))");
    steps.push(await ensureRole(c, roles.owner, 'NOLOGIN', 'owner of the audit table, never logs in'));
    steps.push(
      await ensureRole(c, roles.writer, 'NOLOGIN', 'writer: INSERT and SELECT only; grant it to a login role'),
    );
    steps.push(await ensureTable(c, 'runbook_audit', () => ensureAuditTableIn(c)));
    // Databases set up before parked gates have no index of parked runs yet.
    steps.push(await parkedIndexStep(c));
    steps.push(await ensureTable(c, 'runbook_locks', async () => void (await c.query(CREATE_LOCKS))));
    // Databases set up before chain heads were published have no anchor table yet.
    steps.push(await ensureTable(c, 'runbook_audit_anchor', () => ensureAnchorTable(c)));
    steps.push(await ensureOwner(c, 'runbook_audit', roles.owner));
    steps.push(await ensureOwner(c, 'runbook_locks', roles.owner));
    steps.push(await ensureOwner(c, 'runbook_audit_anchor', roles.owner));
    steps.push(await ensureFunctionOwner(c, roles.owner));
    // Separation first: privileges the writer had only through the owner are granted directly after.
    steps.push(...(await ensureSeparation(c, roles)));
    steps.push(...(await ensureGrants(c, roles.writer)));
    await c.query('COMMIT');
    return steps;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function ensureRole(c: pg.Client, name: string, options: string, why: string): Promise<SetupStep> {
  const { rowCount } = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  if (rowCount) return { done: false, what: `role ${name} exists` };
  await c.query(`CREATE ROLE ${name} ${options}`);
  return { done: true, what: `created role ${name} (${why})` };
}

async function ensureTable(c: pg.Client, table: string, create: () => Promise<void>): Promise<SetupStep> {
  const { rows } = await c.query<{ oid: string | null }>('SELECT to_regclass($1)::oid::text AS oid', [table]);
  if (rows[0].oid) return { done: false, what: `table ${table} exists` };
  await create();
  return {
    done: true,
    what: `created table ${table}${table === 'runbook_audit' ? ' with its append-only trigger' : ''}`,
  };
}

async function parkedIndexStep(c: pg.Client): Promise<SetupStep> {
  return (await ensureParkedIndex(c))
    ? { done: true, what: `created index ${PARKED_INDEX} (parked runs, read at each run start)` }
    : { done: false, what: `index ${PARKED_INDEX} exists` };
}

/** ensureAuditTable opens its own transaction; inside ours a savepoint-free call is enough. */
async function ensureAuditTableIn(c: pg.Client): Promise<void> {
  await ensureAuditTable(c, { inTransaction: true });
}

async function ensureOwner(c: pg.Client, table: string, owner: string): Promise<SetupStep> {
  const { rows } = await c.query<{ owner: string }>(
    'SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = to_regclass($1)',
    [table],
  );
  if (rows[0].owner === owner) return { done: false, what: `${table} is owned by ${owner}` };
  await c.query(`ALTER TABLE ${table} OWNER TO ${owner}`);
  return { done: true, what: `${table}: owner changed from ${rows[0].owner} to ${owner}` };
}

async function ensureFunctionOwner(c: pg.Client, owner: string): Promise<SetupStep> {
  const { rows } = await c.query<{ owner: string }>(
    "SELECT pg_get_userbyid(proowner) AS owner FROM pg_proc WHERE oid = 'runbook_audit_append_only()'::regprocedure",
  );
  if (rows[0].owner === owner)
    return { done: false, what: `trigger function runbook_audit_append_only() is owned by ${owner}` };
  await c.query(`ALTER FUNCTION runbook_audit_append_only() OWNER TO ${owner}`);
  return {
    done: true,
    what: `trigger function runbook_audit_append_only(): owner changed from ${rows[0].owner} to ${owner}`,
  };
}

/**
 * The writer's privileges. Only INSERT and SELECT on runbook_audit: no UPDATE, DELETE,
 * TRUNCATE or TRIGGER, which are revoked if someone granted them. runbook_locks is a holder
 * registry, not history: the writer upserts and deletes its own row there. The advisory lock
 * itself needs no privilege beyond CONNECT (https://www.postgresql.org/docs/15/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS).
 */
async function ensureGrants(c: pg.Client, writer: string): Promise<SetupStep[]> {
  const wanted: [string, string[]][] = [
    ['runbook_audit', ['INSERT', 'SELECT']],
    ['runbook_audit_anchor', ['INSERT', 'SELECT']],
    ['runbook_locks', ['INSERT', 'SELECT', 'UPDATE', 'DELETE']],
  ];
  const forbidden: [string, string[]][] = ['runbook_audit', 'runbook_audit_anchor'].map((t) => [
    t,
    ['UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES'],
  ]);
  const steps: SetupStep[] = [];
  // Effective privileges (direct, through PUBLIC or a membership) for what it needs; only direct
  // grants can be revoked, so those are what is checked for what it must not have.
  const has = async (table: string, priv: string) =>
    (await c.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2, $3) AS ok', [writer, table, priv])).rows[0].ok;
  const granted = async (table: string, priv: string) =>
    (
      await c.query<{ ok: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM pg_class t, aclexplode(t.relacl) a WHERE t.oid = to_regclass($2) AND a.grantee = $1::regrole AND a.privilege_type = $3) AS ok',
        [writer, table, priv],
      )
    ).rows[0].ok;
  const schema = (
    await c.query<{ ok: boolean }>('SELECT has_schema_privilege($1, current_schema(), $2) AS ok', [writer, 'USAGE'])
  ).rows[0].ok;
  if (!schema) {
    await c.query(`GRANT USAGE ON SCHEMA ${await currentSchema(c)} TO ${writer}`);
    steps.push({ done: true, what: `granted USAGE on schema ${await currentSchema(c)} to ${writer}` });
  }
  for (const [table, privs] of wanted) {
    const missing: string[] = [];
    for (const p of privs) if (!(await has(table, p))) missing.push(p);
    if (missing.length) await c.query(`GRANT ${missing.join(', ')} ON ${table} TO ${writer}`);
    steps.push(
      missing.length
        ? { done: true, what: `granted ${missing.join(', ')} on ${table} to ${writer}` }
        : { done: false, what: `${writer} has ${privs.join(', ')} on ${table}` },
    );
  }
  for (const [table, privs] of forbidden) {
    const extra: string[] = [];
    for (const p of privs) if (await granted(table, p)) extra.push(p);
    if (extra.length) {
      await c.query(`REVOKE ${extra.join(', ')} ON ${table} FROM ${writer}`);
      steps.push({ done: true, what: `revoked ${extra.join(', ')} on ${table} from ${writer}` });
    }
  }
  return steps;
}

/**
 * Roles of the same names may predate db-setup: the owner must not log in, and the writer must
 * not be a superuser or a member of the owner (membership carries the right to ALTER the table).
 */
async function ensureSeparation(c: pg.Client, roles: AuditRoles): Promise<SetupStep[]> {
  const { rows } = await c.query<{ owner_login: boolean; writer_super: boolean; writer_in_owner: boolean }>(
    `SELECT o.rolcanlogin AS owner_login, w.rolsuper AS writer_super,
            EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = w.oid AND m.roleid = o.oid) AS writer_in_owner
       FROM pg_roles o, pg_roles w WHERE o.rolname = $1 AND w.rolname = $2`,
    [roles.owner, roles.writer],
  );
  const r = rows[0];
  if (r.writer_super)
    throw new RunRefused(
      `role ${roles.writer} is a superuser: it cannot be the writer role`,
      'choose another --writer-role, or ALTER ROLE … NOSUPERUSER',
    );
  const steps: SetupStep[] = [];
  if (r.owner_login) {
    await c.query(`ALTER ROLE ${roles.owner} NOLOGIN`);
    steps.push({ done: true, what: `role ${roles.owner} can no longer log in (NOLOGIN)` });
  }
  if (r.writer_in_owner) {
    await c.query(`REVOKE ${roles.owner} FROM ${roles.writer}`);
    steps.push({ done: true, what: `role ${roles.writer} is no longer a member of ${roles.owner}` });
  }
  return steps;
}

async function currentSchema(c: pg.Client): Promise<string> {
  const { rows } = await c.query<{ s: string }>('SELECT quote_ident(current_schema()) AS s');
  return rows[0].s;
}
