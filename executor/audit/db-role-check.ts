import { newPgClient } from '../pg/client.js';
import { RunRefused } from '../core/errors.js';

/**
 * What the run's database role can do to its own audit trail. The append-only trigger stops a
 * role that merely writes; a role that can ALTER the table can DISABLE the trigger (or drop the
 * table) and rewrite rows, and `verify --db` would still pass. Who can:
 * - the table's owner, and any member of the owning role: "You must own the table to use ALTER
 *   TABLE" and membership confers the owner's rights (https://www.postgresql.org/docs/15/sql-altertable.html,
 *   https://www.postgresql.org/docs/15/role-membership.html; checked with pg_has_role(…, 'MEMBER'),
 *   which also covers a member without INHERIT, who can still SET ROLE);
 * - a superuser (rolsuper), who bypasses every check, and a role allowed to SET
 *   session_replication_role, under which ordinary triggers do not fire
 *   (https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-SESSION-REPLICATION-ROLE).
 */
export interface AuditRoleReport {
  /** The role the URL logs in as. */
  readonly role: string;
  readonly tableExists: boolean;
  /** Why this role can alter the table or defeat its trigger; empty for a writer role. */
  readonly powers: readonly string[];
  /** It may INSERT and SELECT runbook_audit (what a run needs). */
  readonly canWrite: boolean;
}

const QUERY = `
SELECT r.rolname AS role, r.rolsuper AS superuser,
       t.oid IS NOT NULL AS table_exists,
       pg_get_userbyid(t.relowner) AS owner,
       t.relowner = r.oid AS owns,
       COALESCE(t.relowner <> r.oid AND pg_has_role(r.oid, t.relowner, 'MEMBER'), false) AS member_of_owner,
       has_parameter_privilege(r.oid, 'session_replication_role', 'SET') AS replication_role,
       COALESCE(has_table_privilege(r.oid, t.oid, 'INSERT') AND has_table_privilege(r.oid, t.oid, 'SELECT'), false) AS can_write
  FROM pg_roles r
  LEFT JOIN pg_class t ON t.oid = to_regclass('runbook_audit')
 WHERE r.rolname = current_user`;

/** Connects as the run would and reports its powers over runbook_audit. */
export async function inspectAuditRole(url: string): Promise<AuditRoleReport> {
  const c = await newPgClient({
    connectionString: url,
    application_name: 'runbook audit check',
    connectionTimeoutMillis: 10_000,
  });
  c.on('error', () => undefined);
  await c.connect();
  try {
    const { rows } = await c.query<{
      role: string;
      superuser: boolean;
      table_exists: boolean;
      owner: string | null;
      owns: boolean | null;
      member_of_owner: boolean;
      replication_role: boolean;
      can_write: boolean;
    }>(QUERY);
    const r = rows[0];
    const powers: string[] = [];
    if (r.superuser) powers.push(`role ${r.role} is a superuser`);
    if (r.owns) powers.push(`role ${r.role} owns runbook_audit`);
    if (!r.superuser && r.member_of_owner)
      powers.push(`role ${r.role} is a member of ${r.owner}, which owns runbook_audit`);
    if (!r.superuser && r.replication_role)
      powers.push(`role ${r.role} may SET session_replication_role (which silences the trigger)`);
    return { role: r.role, tableExists: r.table_exists, powers, canWrite: r.can_write };
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** What to do about a run role with owner powers: warn (local), refuse (CI) or allow (overridden). */
export type OwnerRolePolicy = 'warn' | 'refuse' | 'allow';

const setupHint =
  'run `runbook audit db-setup --audit-db URL` as a database administrator, then give the run a login in role runbook_audit_writer (see README, "The audit database")';

/** The one-line warning shown by `plan` and `run` for a role with owner powers. */
export function ownerRoleWarning(report: AuditRoleReport): string {
  return `the audit database role can rewrite its own audit trail (${report.powers.join('; ')}): connect runs as a writer role limited to INSERT and SELECT`;
}

/**
 * The checks a run makes before its lock: the table exists (a run never creates it), the role
 * can write it, and a role with owner powers is refused under `refuse`. Returns the warnings.
 */
export function checkAuditRole(report: AuditRoleReport, policy: OwnerRolePolicy): string[] {
  if (!report.tableExists) {
    throw new RunRefused(`the audit table runbook_audit does not exist in the audit database`, setupHint);
  }
  if (!report.canWrite) {
    throw new RunRefused(
      `role ${report.role} may not INSERT and SELECT runbook_audit`,
      `grant it the writer role: GRANT runbook_audit_writer TO ${report.role}`,
    );
  }
  if (report.powers.length === 0) return [];
  if (policy === 'refuse') {
    throw new RunRefused(
      `refusing to run under CI: ${ownerRoleWarning(report)}`,
      `${setupHint}; for local development only, --allow-owner-role (or RUNBOOK_ALLOW_OWNER_ROLE=true) overrides this`,
    );
  }
  return [ownerRoleWarning(report)];
}
