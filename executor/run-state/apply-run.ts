import type { AuditRecord } from '../audit/record.js';
import type { RunEvents } from '../core/events.js';
import { newStep, phaseOf } from './apply-step.js';
import { currentRollback, type At, type RunState } from './state.js';

/** Applies a record about the run as a whole (start, resume, phases, rollback, end). */
export function applyRunRecord(state: RunState, r: AuditRecord, at: At): void {
  switch (r.type) {
    case 'run:start':
      if (!state.start) onRunStart(state, r.data, at);
      break;
    case 'run:resume':
      state.resumes.push({ ...r.data, at, seq: r.seq });
      state.parked = undefined;
      break;
    case 'run:parked':
      state.parked = state.openPark = { ...r.data, at, seq: r.seq };
      break;
    case 'phase:start':
      phaseOf(state, r.data.phaseId).started ??= at;
      // Killed inside `finally`: a resume runs only the finally steps left, for this outcome.
      if (r.data.phaseId === 'finally' && r.data.runStatus)
        state.phasesEnded = { status: r.data.runStatus, failed: r.data.failed ?? [] };
      break;
    case 'phase:end': {
      const { budgetMs, durationMs } = r.data;
      Object.assign(
        phaseOf(state, r.data.phaseId),
        { ended: at, durationMs },
        budgetMs !== undefined ? { budgetMs } : {},
      );
      break;
    }
    case 'operator:decision':
      onDecision(state, r.data, at);
      break;
    case 'run:interrupted':
      state.interruptedBy = r.data.signal;
      break;
    case 'run:end':
      onRunEnd(state, r.data, at, r.seq);
      break;
    default:
      applyRollbackRecord(state, r, at);
  }
}

function onRunStart(state: RunState, e: RunEvents['run:start'], at: At): void {
  state.start = { ...e, at };
  for (const p of e.phases) {
    state.phases.push({ id: p.id, declared: true, budgetMs: p.budgetMs, steps: [...p.steps], joined: [] });
    for (const id of p.steps) if (!state.steps.has(id)) state.steps.set(id, newStep(id, p.id));
  }
}

/**
 * An operator who said "skip" (it completed) at an earlier resume is not asked again after
 * another crash: the decision is in the journal, and nothing about the step changed since.
 */
function onDecision(state: RunState, e: RunEvents['operator:decision'], at: At): void {
  state.decisions.push({ ...e, at: at.at });
  const undone = compensationOf(e.stepId);
  if (undone !== undefined) return void decideCompensation(state, undone, e.decision);
  if (e.decision === 'skip' && state.inDoubt.delete(e.stepId))
    state.done.set(e.stepId, { status: 'succeeded', outputs: {} });
}

/** The step of a decision about an in-doubt compensation (`rollback:<step>`), else undefined. */
export function compensationOf(decisionId: string): string | undefined {
  return decisionId.startsWith('rollback:') ? decisionId.slice('rollback:'.length) : undefined;
}

/**
 * An operator's decision on a compensation in doubt. `skip` (it completed): the step is undone, as
 * after a `rollback:step` that succeeded, and a resume does it again. `rerun` (it did not): the
 * step stays done, and is compensated again if the run rolls back again. Either way it is no
 * longer in doubt.
 */
export function decideCompensation(state: RunState, stepId: string, decision: string): void {
  state.compensating.delete(stepId);
  if (decision !== 'skip') return;
  state.done.delete(stepId);
  const step = state.steps.get(stepId);
  if (step) step.rollbackData = undefined;
}

/**
 * A run that ended (failed) and is resumed runs its phases again, then its finally steps afresh
 * for the new outcome; an interrupted one continues where it stopped.
 */
function onRunEnd(state: RunState, e: RunEvents['run:end'], at: At, seq: number): void {
  state.end = { ...e, at, seq };
  if (e.status === 'interrupted') return;
  state.phasesEnded = undefined;
  for (const id of state.start?.phases.find((p) => p.id === 'finally')?.steps ?? []) {
    state.done.delete(id);
    state.inDoubt.delete(id);
  }
}

function applyRollbackRecord(state: RunState, r: AuditRecord, at: At): void {
  switch (r.type) {
    case 'rollback:start':
      state.rollbacks.push({ reason: r.data.reason, started: at, planned: r.data.steps, steps: [] });
      break;
    case 'rollback:compensate':
      state.compensating.add(r.data.stepId);
      break;
    case 'rollback:step': {
      const e = r.data;
      state.compensating.delete(e.stepId);
      currentRollback(state)?.steps.push({ ...e, at });
      const step = state.steps.get(e.stepId);
      if (step) step.rollback = { status: e.status, ...(e.error !== undefined ? { error: e.error } : {}) };
      // A rollback undid the step's effect: it is no longer done, and a resume does it again,
      // from the restored state (its rollback data goes too).
      if (e.status !== 'succeeded') break;
      state.done.delete(e.stepId);
      if (step) step.rollbackData = undefined;
      break;
    }
    case 'rollback:end': {
      const rollback = currentRollback(state);
      if (rollback) rollback.end = { ...r.data, at };
      break;
    }
    default:
      break; // not a rollback record: the run and step folds take it
  }
}
