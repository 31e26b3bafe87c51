// `runbook audit …`: verify, list, export, show, report, db-setup, sync. Each loads its implementation on first use.
import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { registerReview } from './audit-review.js';
import { common, type SetExit } from './shared.js';

export function registerAudit(program: Command, setExit: SetExit): void {
  const audit = program.command('audit').description('verify and show audit logs');
  registerVerify(audit, setExit);
  registerReview(audit, setExit);
  registerShowAndReport(audit, setExit);
  registerDatabase(audit, setExit);
}

interface VerifyCliOptions {
  db?: string;
  run?: string;
  allowIncomplete?: boolean;
  anchor?: string;
  anchorsFrom?: string;
  issue?: string;
  key?: string;
  since?: string;
  until?: string;
  from?: string;
  auditDb?: string;
  requireComplete?: boolean;
}

function registerVerify(audit: Command, setExit: SetExit): void {
  audit
    .command('verify')
    .description(
      'check the hash chain (one run, or every run of a period with --since/--until); exit 1 naming the first bad record',
    )
    .argument('[file-or-run]', 'audit file or run id')
    .option('--db <url>', 'verify the copy in the audit database')
    .option('--run <id>', 'run id (with --db)')
    .option('--allow-incomplete', 'accept a log without run:end or with a torn last line (a run still running)')
    .option(
      '--anchor <seq:hash|hash>',
      'a chain head published elsewhere (job summary, tracking issue): the log must contain it',
    )
    .option(
      '--anchors-from <github|db>',
      'compare with every head the run published on its tracking issue (GITHUB_TOKEN, GITHUB_REPOSITORY) or in the audit database (--db or RUNBOOK_AUDIT_DB); both: github,db',
    )
    .option('--issue <number>', 'the tracking issue or pull request holding the heads (default: the one the log names)')
    .option(
      '--key <file>',
      'audit key file (HMAC secret hmac:<base64>, or ed25519 public key PEM): every record must be signed by it (default RUNBOOK_AUDIT_PUBKEY, else RUNBOOK_AUDIT_KEY)',
    )
    .option(
      '--require-complete',
      'the default for one run; with --since/--until, also fail runs without run:end (parked, running)',
    )
    .option('--since <date>', 'verify every run started since DATE (YYYY-MM-DD, ISO 8601 time, or 90d/12h/2w ago)')
    .option('--until <date>', 'with --since: runs started before DATE (a YYYY-MM-DD day included)')
    .option('--from <dir>', 'with --since/--until: a directory of downloaded audit artifacts')
    .option('--audit-db <url>', 'with --since/--until: the audit database (or RUNBOOK_AUDIT_DB)')
    .action(async (ref: string | undefined, o: VerifyCliOptions, cmd: Command) => {
      if (o.since !== undefined || o.until !== undefined) {
        if (ref !== undefined || o.run !== undefined) {
          process.stderr.write('runbook: audit verify takes a run or a period (--since/--until), not both\n');
          setExit(ExitCode.Usage);
          return;
        }
        const { auditVerifyPeriodCommand } = await import('../commands/audit-verify-period.js');
        setExit(await auditVerifyPeriodCommand(o));
        return;
      }
      const { auditVerifyCommand } = await import('../commands/audit.js');
      setExit(await auditVerifyCommand(ref, { ...o, root: common(cmd).root }));
    });
}

function registerShowAndReport(audit: Command, setExit: SetExit): void {
  audit
    .command('show')
    .description('who initiated, inputs, steps, approvals, outcome, time per phase against budgets')
    .argument('<file-or-run>', 'audit file or run id')
    .option('--db <url>', 'read from the audit database')
    .option('--json', 'the summary as JSON')
    .action(async (ref: string, o: { db?: string; json?: boolean }, cmd: Command) => {
      const { auditShowCommand } = await import('../commands/audit.js');
      setExit(await auditShowCommand(ref, { ...o, root: common(cmd).root }));
    });
  audit
    .command('report')
    .description(
      "write the run's report page for the wiki (objectives met or missed, Gantt chart, approvals, lessons learned)",
    )
    .argument('<file-or-run>', 'audit file or run id')
    .option('--out <path>', 'where to write it (default: next to its drill record, else drills/reports/<run-id>.md)')
    .action(async (ref: string, o: { out?: string }, cmd: Command) => {
      const { auditReportCommand } = await import('../commands/audit.js');
      setExit(await auditReportCommand(ref, { ...o, root: common(cmd).root }));
    });
}

function registerDatabase(audit: Command, setExit: SetExit): void {
  audit
    .command('db-setup')
    .description(
      'as a database administrator: create runbook_audit, its trigger, an owner role and a writer role (INSERT, SELECT); idempotent',
    )
    .option('--audit-db <url>', 'an administrator connection (or RUNBOOK_AUDIT_DB)')
    .option('--owner-role <name>', 'the NOLOGIN role owning the table', 'runbook_audit_owner')
    .option('--writer-role <name>', 'the role runs log in through', 'runbook_audit_writer')
    .action(async (o: { auditDb?: string; ownerRole?: string; writerRole?: string }) => {
      const { auditDbSetupCommand } = await import('../commands/audit-db.js');
      setExit(await auditDbSetupCommand(o));
    });
  audit
    .command('sync')
    .description('copy a run journaled without the audit database into it, from its file journal')
    .argument('<file-or-run>', 'audit file or run id')
    .option('--audit-db <url>', 'the audit database (or RUNBOOK_AUDIT_DB)')
    .action(async (ref: string, o: { auditDb?: string }, cmd: Command) => {
      const { auditSyncCommand } = await import('../commands/audit-db.js');
      setExit(await auditSyncCommand(ref, { ...o, root: common(cmd).root }));
    });
}
