import {
  defaultAuditRoles,
  checkRoleName,
  setupAuditDb,
  inspectOrRefuse,
  redactUrl,
  ownerRoleWarning,
  syncAuditDb,
  RunRefused,
} from '../../executor/facade/audit-db.js';
import { ExitCode } from '../exit-codes.js';
import { auditPathOf } from './audit.js';

/** The database URL of audit commands: the option, else RUNBOOK_AUDIT_DB (never DATABASE_URL). */
export function auditDbUrl(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = option ?? env.RUNBOOK_AUDIT_DB;
  if (!url) throw new RunRefused('no audit database given', 'pass --audit-db URL or set RUNBOOK_AUDIT_DB');
  return url;
}

/**
 * `runbook audit db-setup --audit-db URL [--owner-role NAME] [--writer-role NAME]`, run as an
 * administrator: roles, tables, trigger and grants; prints each step (done now, or already so).
 */
export async function auditDbSetupCommand(o: {
  auditDb?: string;
  ownerRole?: string;
  writerRole?: string;
}): Promise<number> {
  const url = auditDbUrl(o.auditDb);
  const roles = { owner: o.ownerRole ?? defaultAuditRoles.owner, writer: o.writerRole ?? defaultAuditRoles.writer };
  for (const name of [roles.owner, roles.writer]) {
    const bad = checkRoleName(name);
    if (bad) throw new RunRefused(bad);
  }
  if (roles.owner === roles.writer) throw new RunRefused('the owner and writer roles must differ');
  const steps = await setupAuditDb(url, roles).catch((e: { code?: string; message?: string }) => {
    // Not an administrator: say what db-setup needs rather than "internal error".
    if (e.code === '42501')
      throw new RunRefused(
        `db-setup was refused: ${e.message}; nothing was changed`,
        'run it as a superuser, or as a role with CREATEROLE that is a member of the owner role',
      );
    throw e;
  });
  process.stdout.write(`audit database ${redactUrl(url)}:\n`);
  for (const s of steps) process.stdout.write(`  ${s.done ? '+' : '='} ${s.what}\n`);
  const changed = steps.filter((s) => s.done).length;
  process.stdout.write(changed ? `${changed} change${changed === 1 ? '' : 's'} made.\n` : 'nothing to change.\n');
  process.stdout.write(
    `runs should log in as a member of ${roles.writer}, e.g.: CREATE ROLE ci_runner LOGIN PASSWORD '…' IN ROLE ${roles.writer};\n`,
  );
  const report = await inspectOrRefuse(url);
  if (report.powers.length)
    process.stdout.write(
      `note: this URL's role is an administrator; do not give it to runs (${report.powers.join('; ')})\n`,
    );
  return ExitCode.Ok;
}

/** `runbook audit sync RUN|FILE --audit-db URL`: copies a run journaled without the database into it. */
export async function auditSyncCommand(ref: string, o: { root: string; auditDb?: string }): Promise<number> {
  const url = auditDbUrl(o.auditDb);
  const r = await syncAuditDb(auditPathOf(o.root, ref), url);
  process.stdout.write(
    `run ${r.runId}: ${r.inserted} record${r.inserted === 1 ? '' : 's'} back-filled, ${r.present} already in the audit database (${r.records} in the journal)\n`,
  );
  return ExitCode.Ok;
}

/** The plan's warning about the audit database role, when one is configured; never fails the plan. */
export async function auditDbPlanWarnings(url: string | undefined, ci: boolean): Promise<string[]> {
  if (!url) return [];
  try {
    const report = await inspectOrRefuse(url);
    if (!report.tableExists)
      return [
        'the audit table runbook_audit does not exist: a run will refuse; run `runbook audit db-setup --audit-db URL` as an administrator',
      ];
    if (!report.powers.length) return [];
    return [`${ownerRoleWarning(report)}${ci ? '; under CI the run will refuse' : '; under CI a run refuses'}`];
  } catch (e) {
    return [`could not check the audit database: ${(e as Error).message}`];
  }
}
