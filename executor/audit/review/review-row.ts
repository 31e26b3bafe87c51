import type { RunEvents } from '../../core/events.js';
import type { AuditRecord } from '../record.js';
import { approvalAuthenticity, summarizeAudit, type AuditSummary } from '../summary.js';
import { anomaliesOf, type Anomaly } from './anomalies.js';

/** The outcomes a review filters on; `status` on the row keeps the exact run:end status. */
export type ReviewOutcome = 'succeeded' | 'failed' | 'rolled-back' | 'aborted' | 'parked' | 'running';
export const reviewOutcomes: readonly ReviewOutcome[] = [
  'succeeded',
  'failed',
  'rolled-back',
  'aborted',
  'parked',
  'running',
];

export interface ReviewApproval {
  readonly stepId: string;
  readonly decision: 'granted' | 'refused';
  readonly approver?: string;
  /** `github-review`, `github-comment`, `local-prompt`, `approvals-file`… */
  readonly source: string;
  readonly at: string;
  /** How the identity was established (signature verified, team membership…), when recorded. */
  readonly authenticity?: string;
  readonly reference?: string;
  readonly reason?: string;
}

/** One run as an audit review shows it (list, export): who, what, when, approvals, outcome, RTO. */
export interface ReviewRow {
  readonly runId: string;
  readonly runbook: string;
  /** The target environment run:start names, when it names one. */
  readonly environment?: string;
  readonly initiator: string;
  readonly planHash: string;
  readonly commit: string | null;
  readonly startedAt: string;
  /** First record to last record (a resumed or parked run included). */
  readonly durationMs: number;
  readonly outcome: ReviewOutcome;
  /** The last run:end status, else `parked` or `unfinished`. */
  readonly status: string;
  readonly dryRun: boolean;
  readonly drill: boolean;
  /** As journaled: secrets masked before the record was written (see redactInputs). */
  readonly inputs: Record<string, unknown>;
  /** Who granted, in order. */
  readonly approvers: string[];
  readonly approvals: ReviewApproval[];
  readonly rto: { objectiveMs?: number; measuredMs?: number; met?: boolean };
  readonly origin?: RunEvents['run:start']['origin'];
  readonly anomalies: Anomaly[];
}

/** A run's review row from its records (at least one). */
export function reviewRow(records: readonly AuditRecord[]): ReviewRow {
  const s = summarizeAudit(records);
  const start = records.find((r): r is AuditRecord<'run:start'> => r.type === 'run:start')?.data;
  const last = records[records.length - 1];
  const row = {
    runId: s.runId,
    runbook: s.runbook,
    ...environmentOf(start),
    initiator: s.initiator ?? s.actor,
    planHash: s.planHash,
    commit: s.commit,
    startedAt: s.startedAt,
    durationMs: Date.parse(last.ts) - Date.parse(s.startedAt),
    outcome: outcomeOf(s),
    status: s.outcome.status,
    dryRun: s.dryRun,
    drill: s.drill,
    inputs: redactInputs(s.inputs),
    approvers: s.approvals.filter((a) => a.decision === 'granted' && a.approver).map((a) => a.approver!),
    approvals: s.approvals.map((a) => ({
      stepId: a.stepId,
      decision: a.decision,
      ...(a.approver ? { approver: a.approver } : {}),
      source: a.source,
      at: a.at,
      ...optional('authenticity', approvalAuthenticity(a)),
      ...optional('reference', a.reference),
      ...optional('reason', a.reason),
    })),
    rto: { objectiveMs: s.rto.objectiveMs, measuredMs: s.rto.measuredMs, met: s.rto.met },
    ...(start?.origin ? { origin: start.origin } : {}),
  };
  return { ...row, anomalies: anomaliesOf(s, row) };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** The run:end status in the review's words: a refusal or an interruption aborted the run. */
export function outcomeOf(s: AuditSummary): ReviewOutcome {
  switch (s.outcome.status) {
    case 'succeeded':
    case 'failed':
    case 'parked':
      return s.outcome.status;
    case 'rolled-back':
    case 'rollback-incomplete':
      return 'rolled-back';
    case 'interrupted':
    case 'refused':
      return 'aborted';
    default:
      return 'running';
  }
}

/**
 * run:start's `environment` (`{ name?, source }`); journals written before it have none and are
 * still reviewed.
 */
function environmentOf(start: RunEvents['run:start'] | undefined): { environment?: string } {
  const name = start?.environment?.name;
  return name ? { environment: name } : {};
}

/** Input names that hold a credential by their name, whatever the run's masker knew. */
const SECRET_NAME = /secret|passw|token|api[-_]?key|private[-_]?key|credential/i;

/**
 * The inputs for the evidence pack. The journal already masks every secret value (the run's
 * SecretMasker, `***`) before a record is written, an input holding a secret's value included;
 * an input whose NAME says it is a credential is masked here as well, in case it held a value no
 * secret declared.
 */
export function redactInputs(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, SECRET_NAME.test(k) ? '***' : v]));
}
