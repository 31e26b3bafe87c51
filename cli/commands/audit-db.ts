import {
  defaultAuditRoles,
  checkRoleName,
  setupAuditDb,
  inspectOrRefuse,
  redactUrl,
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
