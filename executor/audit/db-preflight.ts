import { RunRefused } from '../core/errors.js';
import { checkAuditRole, inspectAuditRole, type AuditRoleReport, type OwnerRolePolicy } from './db-role-check.js';

/**
 * The audit database as a run sees it before taking its lock: reachable, set up, writable, and
 * (under CI) not writable by a role that could rewrite it. Returns warnings to show.
 */
export async function checkAuditDb(url: string, policy: OwnerRolePolicy): Promise<string[]> {
  return checkAuditRole(await inspectOrRefuse(url), policy);
}

/** inspectAuditRole, with an unreachable or refusing server as a RunRefused (its message holds no URL). */
export async function inspectOrRefuse(url: string): Promise<AuditRoleReport> {
  try {
    return await inspectAuditRole(url);
  } catch (e) {
    throw new RunRefused(
      `cannot use the audit database at ${redactUrl(url)}: ${(e as Error).message}`,
      'check --audit-db / RUNBOOK_AUDIT_DB and that the server is up',
      { cause: e },
    );
  }
}

/**
 * A connection URL fit to print: no password (it comes back through PGPASSWORD or ~/.pgpass,
 * which the pg client reads, when the printed command is run).
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '<the --audit-db URL>';
  }
}
