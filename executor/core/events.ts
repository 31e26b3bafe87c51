/**
 * The typed event map of a run. The same events drive the audit log (every event is one
 * hash-chained audit record), the progress display and the job summary.
 */
import type { ActionErrorCode } from './action-error-codes.js';

export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'timed-out' | 'cancelled';
/**
 * `rolled-back`: every completed step with a `rollback:` was undone. `rollback-incomplete`: the
 * rollback stopped (at an irreversible step, or on a failing compensation) before undoing all of
 * them; `rollback:end` says which were left and why.
 */
export type RunStatus = 'succeeded' | 'failed' | 'rolled-back' | 'rollback-incomplete' | 'interrupted' | 'refused';

export interface ApprovalRecord {
  readonly approver: string;
  /** `local-prompt`, `approvals-file`, `github-review`, `github-comment`… */
  readonly source: string;
  readonly planHash: string;
  readonly at: string;
  readonly reference?: string;
  /**
   * Local approvals only (terminal, approvals file): true when signed and verified against the
   * approver's key in the Directory, false when unsigned and accepted because the gate allows it.
   * Absent for GitHub approvals, whose identity GitHub authenticates.
   */
  readonly verified?: boolean;
  /** The SHA256 fingerprint of the key that signed a verified approval. */
  readonly key?: string;
  /** GitHub approvals: the allowed entry that admitted the approver (`@user`, `@org/team`). */
  readonly via?: string;
  /**
   * GitHub approvals: what decided the approver's membership: the policy naming them (`policy`),
   * GitHub's live team membership (`github`, with RUNBOOK_GITHUB_MEMBERS_TOKEN) or the Directory's
   * compiled membership (`directory`).
   */
  readonly membership?: 'policy' | 'github' | 'directory';
  /**
   * GitHub comment approvals: SHA-256 of the comment's text when the gate first read it; the
   * approval is withdrawn if the text later differs (an edit), whatever `updated_at` says.
   */
  readonly textSha256?: string;
}

export interface RunEvents {
  'run:start': {
    runbook: string;
    title: string;
    planHash: string;
    commit?: string;
    initiator: string;
    inputs: Record<string, unknown>;
    dryRun: boolean;
    drill: boolean;
    objectives: { rtoMs?: number; rpoMs?: number };
    phases: { id: string; budgetMs?: number; steps: string[] }[];
    /** A drill that opted in to notify customers (messages still say [DRILL]). */
    drillNotifiesCustomers?: boolean;
    /** Drills: injected faults, step id → fault. */
    faults?: Record<string, string>;
    /** The concurrency lock was taken over from a dead run (its holder) or an unreadable lock file. */
    lockTakenOver?: { runId: string; initiator: string; pid: number; host: string; startedAt: string } | 'unreadable';
    /** The issue or pull request tracking the run, where its chain heads are published. */
    trackingIssue?: { number: number; url: string };
  };
  'run:resume': {
    by: string;
    completed: string[];
    inDoubt: string[];
    droppedTornLine?: boolean;
    /** Records copied between the file journal and the audit database before resuming (a kill between the two writes). */
    reconciled?: { appended: number; backfilled: number };
    lockTakenOver?: { runId: string; initiator: string; pid: number; host: string; startedAt: string } | 'unreadable';
  };
  'operator:decision': { stepId: string; decision: 'rerun' | 'skip' | 'abort'; by: string; reason?: string };
  /**
   * For `finally`: the phases' outcome its steps see as `run.status`, and the phase steps that
   * failed (`run.failed`); both read back on resume.
   */
  'phase:start': { phaseId: string; runStatus?: RunStatus; failed?: string[] };
  'phase:end': { phaseId: string; durationMs: number; budgetMs?: number };
  'step:start': {
    stepId: string;
    attempt: number;
    uses: string;
    idempotent: boolean;
    sideEffects: boolean;
    dryRun: boolean;
  };
  /**
   * What the step's rollback needs (a record's previous value…), journaled by the action BEFORE
   * the effect it undoes and durable like `step:start`; read back by later attempts of the step in
   * the run (retry, resume after a crash). `data` is masked like any event; `digest` is a salted
   * hash of it in clear, which restores masked secrets on resume (executor/run/rollback-data.ts).
   */
  'step:rollback-data': { stepId: string; attempt: number; data: Record<string, unknown>; digest: string };
  'step:retry': { stepId: string; attempt: number; error: string; code?: ActionErrorCode; delayMs: number };
  'step:end': {
    stepId: string;
    attempt: number;
    status: StepStatus;
    durationMs: number;
    outputs?: Record<string, unknown>;
    result?: unknown;
    error?: string;
    code?: ActionErrorCode;
    reason?: string;
  };
  'approval:requested': { stepId: string; approvers: string[]; required: number; message?: string };
  'approval:granted': { stepId: string; approval: ApprovalRecord; count: number; required: number };
  'approval:refused': {
    stepId: string;
    approver?: string;
    source: string;
    reason: string;
    membership?: 'policy' | 'github' | 'directory';
  };
  'checklist:item': { stepId: string; section?: string; text: string; confirmedBy: string; check?: string };
  'rollback:start': { reason: string; steps: string[] };
  'rollback:step': { stepId: string; status: StepStatus; error?: string };
  /**
   * `notUndone`: completed steps with a `rollback:` that were left in place, and `reason` why
   * (stopped at irreversible step X; rollback of Y failed: message). Both absent when complete.
   */
  'rollback:end': {
    status: 'complete' | 'stopped-at-irreversible' | 'failed';
    stoppedAt?: string;
    notUndone?: string[];
    reason?: string;
  };
  'run:interrupted': { signal: string };
  'run:end': { status: RunStatus; durationMs: number; recoveredAtMs?: number; error?: string };
  /** A script registered values to mask (`$RUNBOOK_MASK`): salted hashes of their forms, never the values. */
  'mask:add': { stepId: string; forms: string[] };
}

export type RunEventType = keyof RunEvents;

/** One event as emitted (before it becomes an audit record). */
export interface RunEvent<T extends RunEventType = RunEventType> {
  readonly type: T;
  readonly data: RunEvents[T];
  readonly stepId?: string;
  readonly attempt?: number;
}

/**
 * Where events go. `emit` resolves once every durable sink has the event on disk (or in the
 * database): the scheduler awaits `step:start` before starting a side effect (journal first).
 */
export interface EventSink {
  emit<T extends RunEventType>(type: T, data: RunEvents[T]): Promise<void>;
}
