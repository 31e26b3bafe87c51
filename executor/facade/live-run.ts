import { actions } from '../actions/index.js';
import { sideEffectFreeActions } from '../actions/catalog-meta.js';
import { headOf, renderAnchorMarkdown, type PublishedHead } from '../audit/anchor-marker.js';
import { readAuditFile } from '../audit/file-sink.js';
import type { AuditRecord } from '../audit/record.js';
import { summarizeAudit } from '../audit/summary.js';
import { renderAuditSummary } from '../audit/summary-render.js';
import { renderSummaryMarkdown } from '../audit/summary-markdown.js';
import { runRunbook, type RunOptions, type RunOutcome } from '../run/run-runbook.js';

/** A live run as a caller asks for it: the executor supplies the action catalogue itself. */
export type LiveRunRequest = Omit<RunOptions, 'actions' | 'sideEffectFree'>;

export interface LiveRunResult {
  readonly outcome: RunOutcome;
  /** The run's whole audit log, read back from its file journal. */
  readonly records: AuditRecord[];
  /** The last record's chain head, to publish (job summary, terminal). */
  readonly head?: PublishedHead;
}

/** Runs a runbook with every action of the catalogue, then reads its journal back. */
export async function runLive(request: LiveRunRequest): Promise<LiveRunResult> {
  const outcome = await runRunbook({ ...request, actions, sideEffectFree: sideEffectFreeActions() });
  const { records } = await readAuditFile(outcome.auditPath);
  const last = records.at(-1);
  return { outcome, records, ...(last ? { head: headOf(last) } : {}) };
}

/** The summary printed after a run: who, inputs, steps, approvals, outcome, time per phase. */
export function runSummaryText(records: AuditRecord[], color: boolean): string {
  return renderAuditSummary(summarizeAudit(records), { color });
}

/** The run's report in the GitHub Actions job summary, with its chain head and the lock warning. */
export function jobSummaryMarkdown(result: LiveRunResult, lockLine: string | undefined): string {
  const { records, head, outcome } = result;
  return (
    renderSummaryMarkdown(summarizeAudit(records)) +
    '\n' +
    (lockLine ? `> **${lockLine}**\n\n` : '') +
    (head ? renderAnchorMarkdown(outcome.runId, head) + '\n' : '')
  );
}
