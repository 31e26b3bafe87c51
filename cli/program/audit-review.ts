// `runbook audit list` and `runbook audit export`: reviews across runs, from the audit database or a
// directory of downloaded artifacts. Each loads its implementation on first use.
import type { Command } from 'commander';
import type { ExportCliOptions, ListCliOptions } from '../commands/audit-review.js';
import type { SetExit } from './shared.js';

const DATE_HELP = 'YYYY-MM-DD (UTC), an ISO 8601 time, or 90d/12h/2w ago';

function sourceOptions(cmd: Command): Command {
  return cmd
    .option('--audit-db <url>', 'read the audit database (or RUNBOOK_AUDIT_DB)')
    .option('--from <dir>', 'read a directory of downloaded audit artifacts (<artifact>/<run-id>/audit.jsonl)')
    .option('--since <date>', `runs started since DATE: ${DATE_HELP}`)
    .option('--until <date>', 'runs started before DATE (a YYYY-MM-DD day included)');
}

export function registerReview(audit: Command, setExit: SetExit): void {
  sourceOptions(
    audit
      .command('list')
      .description('one row per run: id, runbook, environment, initiator, started, duration, outcome, approvers'),
  )
    .option('--runbook <name>', 'runs of this runbook')
    .option('--initiator <user>', 'runs started by this person')
    .option('--approver <user>', 'runs this person approved')
    .option('--outcome <outcome>', 'succeeded | failed | rolled-back | aborted | parked | running')
    .option('--environment <name>', 'runs against this environment')
    .option('--json', 'the rows as JSON')
    .action(async (o: ListCliOptions) => {
      const { auditListCommand } = await import('../commands/audit-review.js');
      setExit(await auditListCommand(o));
    });
  sourceOptions(
    audit
      .command('export')
      .description(
        'the evidence pack: per run who, what, when, inputs (redacted), approvals, outcome, RTO, and anomalies',
      ),
  )
    .option('--format <format>', 'csv | json | md (the wiki page "Audit")', 'csv')
    .option('--out <file>', 'write it here (atomically) instead of stdout')
    .action(async (o: ExportCliOptions) => {
      const { auditExportCommand } = await import('../commands/audit-review.js');
      setExit(await auditExportCommand(o));
    });
}
