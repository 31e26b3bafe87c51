import type { RunEvents } from '../core/events.js';
import { currentRollback, foldRun, type PhaseState, type RunState, type StepState } from '../run-state/fold-run.js';
import type { AuditRecord } from './record.js';
import type {
  ApprovalSummary,
  AuditSummary,
  ParkedSummary,
  PhaseSummary,
  StepSummary,
  SummarizeOptions,
} from './summary-types.js';

export * from './summary-types.js';

/** Builds the structured summary of one run's (verified) records, from the shared fold of the run. */
export function summarizeAudit(records: readonly AuditRecord[], options: SummarizeOptions = {}): AuditSummary {
  if (records.length === 0) throw new Error('summarizeAudit needs at least one record');
  const first = records[0];
  const run = foldRun(records);
  const t0 = Date.parse(first.ts);
  const start = run.start;
  const end = run.end;
  const steps = run.order.map((id) => stepSummary(run.steps.get(id)!, t0));
  return {
    runId: first.runId,
    runbook: first.runbook,
    title: start?.title,
    planHash: first.planHash,
    commit: first.commit,
    actor: first.actor,
    initiator: start?.initiator,
    startedAt: first.ts,
    endedAt: end?.at.at,
    dryRun: start?.dryRun ?? false,
    drill: start?.drill ?? false,
    inputs: start?.inputs ?? {},
    steps,
    approvals: run.approvals.map(approvalSummary),
    checklist: run.checklist.map(({ stepId, text, confirmedBy, at }) => ({ stepId, text, confirmedBy, at })),
    decisions: run.decisions,
    resumes: run.resumes.map((r) => ({ by: r.by, at: r.at.at })),
    rollback: rollbackSummary(run),
    phases: summarizePhases(run, t0, steps),
    outcome: {
      status: end?.status ?? (run.parked ? 'parked' : 'unfinished'),
      durationMs: end?.durationMs,
      error: end?.error,
      interruptedBy: run.interruptedBy,
      ...(run.parked && !end ? { parked: parkedSummary(run.parked) } : {}),
    },
    rto: measureRto(start, end, steps, options.recoveryStep),
    rpoObjectiveMs: start?.objectives.rpoMs,
  };
}

function parkedSummary(p: NonNullable<RunState['parked']>): ParkedSummary {
  return { stepId: p.stepId, deadline: p.deadline, granted: p.granted, required: p.required };
}

/**
 * A step from its first start (or, never started, its end) to its last end; a step started again
 * after it ended (a resumed run) is running again, with no end.
 */
function stepSummary(st: StepState, t0: number): StepSummary {
  const startedAt = st.started ?? st.ended!;
  const base = {
    stepId: st.id,
    uses: st.uses,
    retries: st.retries,
    attempts: st.attempts,
    status: st.status === 'retrying' || st.status === 'pending' ? 'running' : st.status,
    startedAt: startedAt.at,
    startMs: startedAt.ms - t0,
  } as const;
  if (!st.ended) return base;
  return {
    ...base,
    endedAt: st.ended.at,
    endMs: st.ended.ms - t0,
    durationMs: st.durationMs,
    outputs: st.outputs,
    result: st.result,
    error: st.error,
    reason: st.reason,
  };
}

function approvalSummary(a: RunState['approvals'][number]): ApprovalSummary {
  if (a.granted) {
    const { approval, count, required } = a.granted;
    return { stepId: a.stepId, decision: 'granted', ...approval, count, required };
  }
  const e = a.refused!;
  return { stepId: a.stepId, decision: 'refused', approver: e.approver, source: e.source, reason: e.reason, at: a.at };
}

function rollbackSummary(run: RunState): AuditSummary['rollback'] {
  const r = currentRollback(run);
  if (!r) return undefined;
  const steps = r.steps.map(({ at: _at, ...step }) => step);
  const base = { reason: r.reason, at: r.started.at, steps };
  if (!r.end) return base;
  const { status, notUndone, reason } = r.end;
  return { ...base, status, ...(notUndone?.length ? { notUndone, incompleteReason: reason } : {}) };
}

/**
 * The phases run:start declares (without it, those the phase records name). A phase's time is
 * its phase:end's, else from its phase:start to its phase:end, else from its steps.
 */
function summarizePhases(run: RunState, t0: number, steps: StepSummary[]): PhaseSummary[] {
  const declared =
    run.start?.phases ??
    run.phases
      .filter((p) => p.started !== undefined || p.ended !== undefined)
      .map((p) => ({ id: p.id, steps: [] as string[], budgetMs: undefined }));
  return declared.map((p) => {
    const t = run.phases.find((x) => x.id === p.id);
    const budgetMs = p.budgetMs ?? t?.budgetMs;
    const durationMs =
      t?.durationMs ?? phaseSpan(t, t0) ?? stepsSpan(steps.filter((st) => p.steps.includes(st.stepId)));
    const status =
      durationMs === undefined
        ? 'unfinished'
        : budgetMs === undefined
          ? 'no-budget'
          : durationMs <= budgetMs
            ? 'ok'
            : 'over';
    return { id: p.id, budgetMs, durationMs, status };
  });
}

function phaseSpan(p: PhaseState | undefined, t0: number): number | undefined {
  return p?.started && p.ended ? p.ended.ms - t0 - (p.started.ms - t0) : undefined;
}

/** From the first step's start to the last step's end, once every step ended. */
function stepsSpan(own: StepSummary[]): number | undefined {
  const ends = own.flatMap((st) => (st.endMs === undefined ? [] : [st.endMs]));
  if (own.length === 0 || ends.length < own.length) return undefined;
  return Math.max(...ends) - Math.min(...own.map((st) => st.startMs ?? 0));
}

/**
 * Measured RTO: run:end.recoveredAtMs (ms from run start, set by the scheduler when the
 * recovery step succeeded), else the end of `recoveryStep`, else the whole run if it
 * succeeded. A run that did not recover has no measurement and has not met its RTO.
 */
function measureRto(
  start: RunEvents['run:start'] | undefined,
  end: RunEvents['run:end'] | undefined,
  steps: StepSummary[],
  recoveryStep?: string,
): AuditSummary['rto'] {
  const objectiveMs = start?.objectives.rtoMs;
  const rec = recoveryStep ? steps.find((st) => st.stepId === recoveryStep && st.status === 'succeeded') : undefined;
  const [measuredMs, source]: [number | undefined, AuditSummary['rto']['source']] =
    end?.recoveredAtMs !== undefined
      ? [end.recoveredAtMs, 'recovered-at']
      : rec?.endMs !== undefined
        ? [rec.endMs, 'recovery-step']
        : end?.status === 'succeeded'
          ? [end.durationMs, 'run-end']
          : [undefined, 'none'];
  const met = objectiveMs === undefined ? undefined : measuredMs !== undefined && measuredMs <= objectiveMs;
  return { objectiveMs, measuredMs, met, source };
}
