import { appendFileSync } from 'node:fs';
import { jobSummaryMarkdown, parkedSummary, runSummaryText, type LiveRunResult } from '../../executor/facade/index.js';

/**
 * After a run: in GitHub Actions its report goes to the job summary, with its chain head (the
 * runner uploads the step's summary file when the step ends and later steps cannot change it,
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary);
 * on the terminal, the summary, the audit log's path and head, and how to resume.
 */
export function reportOutcome(result: LiveRunResult, o: { json?: boolean; lockLine?: string }): void {
  const { outcome, head } = result;
  // A parked run (exit 0): who can approve and how, first, where the operator looks.
  const parked = parkedSummary(result.records, outcome.graph, outcome.planHash);
  if (process.env.GITHUB_STEP_SUMMARY)
    appendFileSync(
      process.env.GITHUB_STEP_SUMMARY,
      (parked ? `> ⏸️ ${parked.split('\n').join('  \n> ')}\n\n` : '') + jobSummaryMarkdown(result, o.lockLine),
    );
  if (parked) process.stderr.write(`${parked}\n`);
  if (o.json) return;
  process.stdout.write('\n' + runSummaryText(result.records, process.stdout.isTTY === true) + '\n');
  if (o.lockLine) process.stdout.write(`${o.lockLine}\n`);
  process.stdout.write(`audit log: ${outcome.auditPath}\n`);
  if (head) process.stdout.write(`audit head: ${head.seq}:${head.hash}\n`);
  if (parked) process.stdout.write(`resumes on an approval, or with: runbook resume ${outcome.runId}\n`);
  else if (outcome.status === 'interrupted' || outcome.status === 'failed')
    process.stdout.write(`resume with: runbook resume ${outcome.runId}\n`);
}
