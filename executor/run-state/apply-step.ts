import type { AuditRecord } from '../audit/record.js';
import type { RunEventType, RunEvents } from '../core/events.js';
import type { At, RunState, StepState } from './state.js';

/**
 * How the step records change a run's state. Each handler is told when its record is written in
 * executor/core/events.ts; the resume's `done` and `inDoubt` follow the journal-first rule: a
 * step:start is durable before the action's effect, so a step:start without its step:end is an
 * effect that may or may not have happened.
 */

/** A step the records name; one run:start does not declare joins the phase running when it first appears. */
export function ensureStep(state: RunState, id: string): StepState {
  let step = state.steps.get(id);
  if (!step) {
    step = newStep(id);
    state.steps.set(id, step);
    const running = [...state.phases].reverse().find((p) => p.started !== undefined && p.durationMs === undefined);
    (running ?? state.phases.at(-1) ?? phaseOf(state, 'steps')).joined.push(id);
  }
  return step;
}

export function newStep(id: string, phase?: string): StepState {
  // Every field from the start: steps keep one shape, which keeps a 10,000-step fold fast.
  return {
    id,
    phase,
    uses: undefined,
    status: 'pending',
    attempt: 0,
    attempts: 0,
    started: undefined,
    ended: undefined,
    durationMs: undefined,
    outputs: undefined,
    result: undefined,
    error: undefined,
    code: undefined,
    reason: undefined,
    retryAt: undefined,
    retries: [],
    approval: undefined,
    lastGrant: undefined,
    rollback: undefined,
    rollbackData: undefined,
  };
}

export function phaseOf(state: RunState, id: string) {
  let phase = state.phases.find((p) => p.id === id);
  if (!phase) state.phases.push((phase = { id, declared: false, steps: [], joined: [] }));
  return phase;
}

/** Applies a step record; false for records about the run. */
export function applyStepRecord(state: RunState, r: AuditRecord, at: At): boolean {
  switch (r.type) {
    case 'step:start':
      onStart(state, r.data, at);
      return true;
    case 'step:retry':
      onRetry(ensureStep(state, r.data.stepId), r.data, at);
      return true;
    case 'step:end':
      onEnd(state, r.data, at);
      if (state.openPark?.stepId === r.data.stepId) state.openPark = undefined;
      return true;
    case 'step:rollback-data':
      ensureStep(state, r.data.stepId).rollbackData = { data: r.data.data, digest: r.data.digest };
      return true;
    case 'mask:add':
      state.masks.push(...r.data.forms);
      return true;
    default:
      return applyApprovalRecord(state, r, at);
  }
}

type Data<T extends RunEventType> = RunEvents[T];

function touch(state: RunState, step: StepState): void {
  if (step.started === undefined && step.ended === undefined) state.order.push(step.id);
}

function onStart(state: RunState, e: Data<'step:start'>, at: At): void {
  const step = ensureStep(state, e.stepId);
  touch(state, step);
  Object.assign(step, {
    uses: e.uses,
    status: 'running',
    attempt: e.attempt,
    attempts: Math.max(step.attempts, e.attempt),
    ended: undefined,
    durationMs: undefined,
    outputs: undefined,
    result: undefined,
    error: undefined,
    code: undefined,
    reason: undefined,
    retryAt: undefined,
    approval: undefined,
    lastGrant: undefined,
    rollback: undefined,
  });
  step.started ??= at;
  // Journal first: from here until its step:end the step's effect may have happened.
  state.inDoubt.add(e.stepId);
}

function onRetry(step: StepState, e: Data<'step:retry'>, at: At): void {
  Object.assign(step, {
    status: 'retrying',
    attempt: e.attempt,
    attempts: Math.max(step.attempts, e.attempt),
    error: e.error,
    code: e.code,
    retryAt: at.ms + e.delayMs,
  });
  step.retries.push({
    attempt: e.attempt,
    error: e.error,
    ...(e.code ? { code: e.code } : {}),
    delayMs: e.delayMs,
    at: at.at,
  });
}

function onEnd(state: RunState, e: Data<'step:end'>, at: At): void {
  const step = ensureStep(state, e.stepId);
  touch(state, step);
  Object.assign(step, {
    status: e.status,
    attempt: e.attempt,
    attempts: Math.max(step.attempts, e.attempt),
    ended: at,
    durationMs: e.durationMs,
    outputs: e.outputs,
    result: e.result,
    error: e.error,
    code: e.code,
    reason: e.reason,
    retryAt: undefined,
    approval: undefined,
  });
  state.inDoubt.delete(e.stepId);
  if (e.status === 'succeeded' || e.status === 'skipped')
    state.done.set(e.stepId, { status: e.status, outputs: e.outputs ?? {} });
  // Interrupted or killed by its timeout mid-action: whether the effect happened is unknown.
  else if (e.status === 'cancelled' || e.status === 'timed-out') state.inDoubt.add(e.stepId);
  else state.done.delete(e.stepId);
}

function applyApprovalRecord(state: RunState, r: AuditRecord, at: At): boolean {
  switch (r.type) {
    case 'approval:requested': {
      const { required, approvers } = r.data;
      ensureStep(state, r.data.stepId).approval = { required, approvers, requested: at, count: 0, open: true };
      return true;
    }
    case 'approval:granted': {
      const e = r.data;
      const step = ensureStep(state, e.stepId);
      if (step.approval) Object.assign(step.approval, { count: e.count, open: e.count < e.required });
      step.lastGrant = { approver: e.approval.approver, count: e.count, required: e.required };
      state.approvals.push({
        stepId: e.stepId,
        at: at.at,
        granted: { approval: e.approval, count: e.count, required: e.required },
      });
      return true;
    }
    case 'approval:refused': {
      const step = ensureStep(state, r.data.stepId);
      // A refusal without an approver is the gate's final answer: nobody is asked any more.
      if (!r.data.approver && step.approval) step.approval.open = false;
      state.approvals.push({ stepId: r.data.stepId, at: at.at, refused: r.data });
      return true;
    }
    case 'checklist:item':
      ensureStep(state, r.data.stepId);
      state.checklist.push({ ...r.data, at: at.at });
      return true;
    default:
      return false;
  }
}
