import { personLogin } from '../../../ir/handle.js';
import type { RunEvents } from '../../core/events.js';
import type { AuditSummary } from '../summary.js';

/**
 * What a reviewer must look at in a run. `kind`s:
 * - `refused-approval`: an approval that did not count (wrong plan, not an approver, a bad or
 *   missing signature, an edited comment, the initiator under selfApproval: false) or a gate's
 *   rejection: a forged or mistaken approval shows here;
 * - `unverified-approval`: a local approval accepted unsigned (`allowUnsigned`);
 * - `self-approval`: the initiator approved their own run (the gate's selfApproval allowed it);
 * - `operator-decision`: an operator decided about an in-doubt step at a resume (`--decide`);
 * - `failed`, `rolled-back`, `aborted`: the run did not succeed;
 * - `outside-workflows`: not started by a generated workflow (`runbook-*.yml`, or `backup-*.yml`
 *   for backup plans): run:start has no `origin` (a local CLI) or names another workflow.
 */
export type AnomalyKind =
  | 'refused-approval'
  | 'unverified-approval'
  | 'self-approval'
  | 'operator-decision'
  | 'failed'
  | 'rolled-back'
  | 'aborted'
  | 'outside-workflows';

export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly text: string;
}

/** The generated workflows' files (compiler/emit/workflows): runbooks, resume, approvals, run requests, backups. */
const GENERATED_WORKFLOW = /^\.github\/workflows\/(runbook|backup)-[^/]+\.ya?ml$/;

export function anomaliesOf(
  s: AuditSummary,
  row: { outcome: string; origin?: RunEvents['run:start']['origin'] },
): Anomaly[] {
  return [...approvalAnomalies(s), ...decisionAnomalies(s), ...outcomeAnomalies(s, row.outcome), ...originAnomaly(row)];
}

function approvalAnomalies(s: AuditSummary): Anomaly[] {
  const initiator = s.initiator ? personLogin(s.initiator) : undefined;
  return s.approvals.flatMap((a): Anomaly[] => {
    if (a.decision === 'refused')
      return [
        {
          kind: 'refused-approval',
          text: `refused approval at ${a.stepId}${a.approver ? ` by ${a.approver}` : ''} (${a.source}): ${a.reason ?? 'no reason recorded'}`,
        },
      ];
    const out: Anomaly[] = [];
    if (a.verified === false)
      out.push({
        kind: 'unverified-approval',
        text: `unsigned approval by ${a.approver} at ${a.stepId} (${a.source})`,
      });
    if (initiator && a.approver && personLogin(a.approver) === initiator)
      out.push({ kind: 'self-approval', text: `${a.approver} approved their own run at ${a.stepId} (${a.source})` });
    return out;
  });
}

function decisionAnomalies(s: AuditSummary): Anomaly[] {
  return s.decisions.map((d) => ({
    kind: 'operator-decision',
    text: `operator decision on in-doubt step ${d.stepId}: ${d.decision} by ${d.by}${d.reason ? ` (${d.reason})` : ''}`,
  }));
}

function outcomeAnomalies(s: AuditSummary, outcome: string): Anomaly[] {
  if (outcome !== 'failed' && outcome !== 'rolled-back' && outcome !== 'aborted') return [];
  const why = s.outcome.error ? `: ${s.outcome.error}` : '';
  return [{ kind: outcome, text: `run ${s.outcome.status}${why}` }];
}

function originAnomaly(row: { origin?: RunEvents['run:start']['origin'] }): Anomaly[] {
  if (!row.origin)
    return [{ kind: 'outside-workflows', text: 'started outside GitHub Actions (no workflow recorded)' }];
  if (GENERATED_WORKFLOW.test(row.origin.workflow)) return [];
  return [{ kind: 'outside-workflows', text: `started by ${row.origin.workflow}, not a generated runbook-* workflow` }];
}
