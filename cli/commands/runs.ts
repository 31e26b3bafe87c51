import { textTable } from '../text-table.js';
import { listRuns, RunRefused, redactUrl, type RunListEntry } from '../../executor/facade/runs.js';

export interface RunsCliOptions {
  readonly auditDb?: string;
  readonly stale?: boolean;
  readonly json?: boolean;
}

/**
 * `runbook runs`: the runs in the audit database (the journal of record), newest first, with
 * their state; `--stale` keeps those a lost runner left mid-flight (resume them with
 * `runbook resume RUN_ID --audit-db URL`, or the generated runbook-resume workflow).
 */
export async function runsCommand(o: RunsCliOptions): Promise<number> {
  const url = o.auditDb ?? process.env.RUNBOOK_AUDIT_DB;
  if (!url)
    throw new RunRefused('runbook runs needs the audit database', 'pass --audit-db URL or set RUNBOOK_AUDIT_DB');
  let runs: RunListEntry[];
  try {
    runs = await listRuns(url);
  } catch (e) {
    // The driver's message never holds the password; the URL is shown without it.
    throw new RunRefused(`cannot list runs from the audit database at ${redactUrl(url)}: ${(e as Error).message}`);
  }
  if (o.stale) runs = runs.filter((r) => r.state === 'stale');
  if (o.json) process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
  else process.stdout.write(table(runs));
  return 0;
}

function table(runs: readonly RunListEntry[]): string {
  if (runs.length === 0) return 'no runs\n';
  const rows = [
    ['RUN', 'RUNBOOK', 'STATE', 'STARTED', 'BY', 'STEP'],
    ...runs.map((r) => [
      r.runId,
      r.runbook,
      r.status ? `${r.state} (${r.status})` : r.state,
      r.started.replace(/\.\d+Z$/, 'Z'),
      r.by,
      r.currentStep ?? '-',
    ]),
  ];
  return textTable(rows);
}
