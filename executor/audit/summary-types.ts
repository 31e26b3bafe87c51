import type { RunEvents, RunStatus, StepStatus } from '../core/events.js';

/**
 * What `runbook audit show` tells: who started the run and when, with which inputs, what each
 * step did, who approved what through which channel, whether it rolled back, how it ended,
 * and the measured time against the phase budgets and the RTO. Built from records alone, so
 * the report can be rebuilt from any verified copy of the log.
 */

export interface StepSummary {
  readonly stepId: string;
  readonly uses?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** Milliseconds from the start of the run. */
  readonly startMs?: number;
  readonly endMs?: number;
  readonly durationMs?: number;
  readonly attempts: number;
  readonly status: StepStatus | 'running';
  readonly outputs?: Record<string, unknown>;
  readonly result?: unknown;
  readonly error?: string;
  readonly reason?: string;
  readonly retries: { attempt: number; error: string; delayMs: number; at: string }[];
}

export interface ApprovalSummary {
  readonly stepId: string;
  readonly decision: 'granted' | 'refused';
  readonly approver?: string;
  readonly source: string;
  readonly at: string;
  readonly planHash?: string;
  readonly reference?: string;
  readonly reason?: string;
  readonly count?: number;
  readonly required?: number;
  /** Local approvals: signed and verified (true) or unsigned, accepted as unverified (false). */
  readonly verified?: boolean;
  /** Fingerprint of the key of a verified signature. */
  readonly key?: string;
  /** GitHub approvals: what decided the approver's membership (ApprovalRecord.membership). */
  readonly membership?: 'policy' | 'github' | 'directory';
}

/**
 * How a granted approval was authenticated, in words for the summary and the reports: local
 * approvals say whether a signature was verified; GitHub approvals (authenticated by GitHub) say
 * which source decided a team membership (the Directory, or GitHub live); refusals say nothing.
 */
export function approvalAuthenticity(a: ApprovalSummary): string | undefined {
  if (a.decision === 'granted' && a.membership === 'directory') return 'team membership from the Directory';
  if (a.decision === 'granted' && a.membership === 'github') return 'live team membership';
  if (a.decision !== 'granted' || a.verified === undefined) return undefined;
  return a.verified ? `verified signature${a.key ? ` ${a.key}` : ''}` : 'unverified (unsigned)';
}

export interface PhaseSummary {
  readonly id: string;
  readonly budgetMs?: number;
  readonly durationMs?: number;
  /** `unfinished`: the phase never ended in this log; `no-budget`: nothing to compare to. */
  readonly status: 'ok' | 'over' | 'no-budget' | 'unfinished';
}

export interface AuditSummary {
  readonly runId: string;
  readonly runbook: string;
  readonly title?: string;
  readonly planHash: string;
  readonly commit: string | null;
  readonly actor: string;
  readonly initiator?: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly dryRun: boolean;
  readonly drill: boolean;
  /** As recorded: secrets were masked before the record was written. */
  readonly inputs: Record<string, unknown>;
  readonly steps: StepSummary[];
  readonly approvals: ApprovalSummary[];
  readonly checklist: { stepId: string; text: string; confirmedBy: string; at: string }[];
  readonly decisions: (RunEvents['operator:decision'] & { at: string })[];
  readonly resumes: { by: string; at: string }[];
  readonly rollback?: {
    reason: string;
    at: string;
    steps: RunEvents['rollback:step'][];
    status?: RunEvents['rollback:end']['status'];
    /** Reversible steps the rollback left in place, and why (`rollback-incomplete`). */
    notUndone?: string[];
    incompleteReason?: string;
  };
  readonly phases: PhaseSummary[];
  readonly outcome: {
    /** `parked`: the log ends at a run:parked (the run waits for an approval, it is not over); `unfinished`: it ends before run:end otherwise. */
    status: RunStatus | 'parked' | 'unfinished';
    durationMs?: number;
    error?: string;
    interruptedBy?: string;
    /** Where and until when a parked run waits. */
    parked?: ParkedSummary;
  };
  /** Measured recovery time vs the objective; `source` says what the measurement is. */
  readonly rto: {
    objectiveMs?: number;
    measuredMs?: number;
    met?: boolean;
    source: 'recovered-at' | 'recovery-step' | 'run-end' | 'none';
  };
  readonly rpoObjectiveMs?: number;
}

/** A parked run's gate: `parked at <step>: waiting for approval (deadline …)`. */
export interface ParkedSummary {
  readonly stepId: string;
  readonly deadline?: string;
  readonly granted: number;
  readonly required: number;
}

/** The words every view shows for a parked run. */
export function parkedText(p: ParkedSummary): string {
  const given = p.required > 1 ? `, ${p.granted} of ${p.required} given` : '';
  return `parked at ${p.stepId}: waiting for approval (${p.deadline ? `deadline ${p.deadline}` : 'no deadline'}${given})`;
}

export interface SummarizeOptions {
  /** The step whose end means service is restored, when run:end carries no recoveredAtMs. */
  readonly recoveryStep?: string;
}
