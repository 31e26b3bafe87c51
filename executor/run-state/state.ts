import type { ApprovalRecord, RunEvents, RunStatus, StepStatus } from '../core/events.js';
import type { ActionErrorCode } from '../core/action-error-codes.js';

/**
 * The run as its audit records tell it: run → phases → steps. One projection, built by
 * `applyRecord` (one record at a time, for the live views) or `foldRun` (a whole journal), and
 * read by every view of a run: the terminal views, the GitHub status table, the audit summary and
 * its Gantt chart, and the resume. Views add only what they show (log lines, notes), never their
 * own reading of the records.
 */

/** Where a step is: not started yet, running, waiting to retry, or ended. */
export type StepProgress = 'pending' | 'running' | 'retrying' | StepStatus;

/** A record's time: the ISO string as written and its milliseconds since the epoch. */
export interface At {
  readonly at: string;
  readonly ms: number;
}

/** The approval asked for a step, from `approval:requested` until the step starts or ends. */
export interface StepApproval {
  readonly required: number;
  readonly approvers: readonly string[];
  readonly requested: At;
  /** Grants so far (approval:granted `count`). */
  count: number;
  /** False once granted in full or refused for good (a refusal without an approver): nobody is asked any more. */
  open: boolean;
}

export interface StepRetry {
  readonly attempt: number;
  readonly error: string;
  /** The closed action error code (executor/core/action-error-codes.ts); absent in older journals. */
  readonly code?: ActionErrorCode;
  readonly delayMs: number;
  readonly at: string;
}

export interface StepState {
  readonly id: string;
  /** The phase run:start declares the step in; undefined for a step it does not name. */
  phase?: string;
  uses?: string;
  status: StepProgress;
  /** The attempt running, waiting to retry or last ended (0 before the first, and for a step that never ran). */
  attempt: number;
  /**
   * The highest attempt number the journal records for the step: attempts are numbered from 1, so
   * a step skipped or refused before its first attempt (step:end with attempt 0) made none. One
   * rule for every view: the status table used to show such a step as 1 attempt
   * (`Math.max(e.attempt, 1)`) while the summary said 0 (`Math.max(prev, e.attempt)`); the
   * summary's rule won, because the journal shows no attempt was made.
   */
  attempts: number;
  /** The first attempt's step:start (a step's elapsed time counts from here); kept across re-runs. */
  started?: At;
  /**
   * The last step:end; cleared, with its duration, outputs and error, when the step starts again:
   * a re-run (after a resume) has no end yet. The summary always read it so; the status table
   * used to keep the earlier run's duration on the running row.
   */
  ended?: At;
  durationMs?: number;
  outputs?: Record<string, unknown>;
  result?: unknown;
  /** The last error: of the failed attempt while retrying, of the step once ended. */
  error?: string;
  /** The code of that error (absent in journals written before codes were journaled). */
  code?: ActionErrorCode;
  reason?: string;
  /** While retrying: when the next attempt starts (ms since the epoch). */
  retryAt?: number;
  readonly retries: StepRetry[];
  approval?: StepApproval;
  /** The last approval:granted, until the step starts (`approved by X (count/required)`). */
  lastGrant?: { readonly approver: string; readonly count: number; readonly required: number };
  /** The compensation of the step in the last rollback; cleared when the step starts again. */
  rollback?: { readonly status: StepStatus; readonly error?: string };
  /** The last step:rollback-data not undone since (a succeeded compensation drops it). */
  rollbackData?: { readonly data: Record<string, unknown>; readonly digest: string };
}

export interface PhaseState {
  readonly id: string;
  /** Declared by run:start; false for a phase only seen in phase:start/phase:end, or the 'steps' catch-all. */
  readonly declared: boolean;
  budgetMs?: number;
  /** The steps run:start declares in the phase. */
  readonly steps: readonly string[];
  /** Steps run:start does not name (a resumed run's view, a nested runbook's steps), in the phase running when they first appeared. */
  readonly joined: string[];
  /**
   * The first phase:start: a phase resumed later counts its time from its first start, as the
   * summary and the Gantt chart always did (the terminal view used to restart it at the last).
   */
  started?: At;
  /** The last phase:end. */
  ended?: At;
  durationMs?: number;
}

export interface ApprovalEntry {
  readonly stepId: string;
  readonly at: string;
  readonly granted?: { readonly approval: ApprovalRecord; readonly count: number; readonly required: number };
  readonly refused?: RunEvents['approval:refused'];
}

export interface RollbackState {
  readonly reason: string;
  readonly started: At;
  /** The steps rollback:start planned to compensate, in the order they run. */
  readonly planned: readonly string[];
  /** Each rollback:step, in the order they ran. */
  readonly steps: (RunEvents['rollback:step'] & { readonly at: At })[];
  end?: RunEvents['rollback:end'] & { readonly at: At };
}

/** Who the records say the run is: from its first record. */
export interface RunHeader {
  readonly runId: string;
  readonly runbook: string;
  readonly planHash: string;
  readonly commit: string | null;
  readonly actor: string;
  /** The first record's time. */
  readonly first: At;
}

export interface RunState {
  header?: RunHeader;
  /** The run:start record's data and time; undefined in a journal (or a live view) that starts at run:resume. */
  start?: RunEvents['run:start'] & { readonly at: At };
  readonly resumes: (RunEvents['run:resume'] & { readonly at: At; readonly seq: number })[];
  readonly phases: PhaseState[];
  readonly steps: Map<string, StepState>;
  /** Steps in the order they first started or ended (those that ran, or were skipped). */
  readonly order: string[];
  readonly approvals: ApprovalEntry[];
  readonly checklist: (RunEvents['checklist:item'] & { readonly at: string })[];
  readonly decisions: (RunEvents['operator:decision'] & { readonly at: string })[];
  /** Every rollback, in order (a resumed run may roll back again); the last is the current one. */
  readonly rollbacks: RollbackState[];
  /** The last run:interrupted's signal. */
  interruptedBy?: string;
  /** The run is parked at a gate (its last run:parked, cleared by a later run:resume). */
  parked?: RunEvents['run:parked'] & { readonly at: At; readonly seq: number };
  /**
   * The last run:parked whose gate has not been answered since (no step:end of its step): unlike
   * `parked`, a run:resume does not clear it. A resume killed before its gate was answered or
   * parked again continues that same request (its grants, its deadline), not a new one.
   */
  openPark?: RunEvents['run:parked'] & { readonly at: At; readonly seq: number };
  /** The last run:end; a later run:resume does not clear it (see `isOver`). */
  end?: RunEvents['run:end'] & { readonly at: At; readonly seq: number };
  /** Salted hashes of every value a script registered to mask (mask:add). */
  readonly masks: string[];
  /**
   * The resume's view of the journal. `done`: steps whose effect happened (succeeded, skipped, or
   * an operator said an in-doubt step completed), in the order they became done, with outputs.
   * `inDoubt`: steps started whose outcome is unknown (no step:end, or cancelled / timed out in
   * the middle of their action). A compensated step is in neither: a resume does it again.
   */
  readonly done: Map<string, { status: 'succeeded' | 'skipped'; outputs: Record<string, unknown> }>;
  readonly inDoubt: Set<string>;
  /**
   * Steps whose compensation began (`rollback:compensate`) with no `rollback:step` after it, nor
   * an operator's decision: the run died while undoing them, so whether they are undone is unknown.
   */
  readonly compensating: Set<string>;
  /** Killed inside `finally`: the phases' outcome its phase:start carried; cleared by a later run:end. */
  phasesEnded?: { readonly status: RunStatus; readonly failed: string[] };
}

export function createRunState(): RunState {
  return {
    resumes: [],
    phases: [],
    steps: new Map(),
    order: [],
    approvals: [],
    checklist: [],
    decisions: [],
    rollbacks: [],
    masks: [],
    done: new Map(),
    inDoubt: new Set(),
    compensating: new Set(),
  };
}

/** The rollback running or last run. */
export function currentRollback(state: RunState): RollbackState | undefined {
  return state.rollbacks.at(-1);
}

/** True when the run ended and no run:resume came after its end. */
export function isOver(state: RunState): boolean {
  const end = state.end;
  return end !== undefined && !state.resumes.some((r) => r.seq > end.seq);
}

/** A phase's steps in display order: those run:start declared, then those that joined. */
export function phaseSteps(phase: PhaseState): string[] {
  return phase.joined.length ? [...phase.steps, ...phase.joined] : [...phase.steps];
}

export function isEnded(status: StepProgress): boolean {
  return status !== 'pending' && status !== 'running' && status !== 'retrying';
}
