/**
 * The typed event map of a run. The same events drive the audit log (every event is one
 * hash-chained audit record), the progress display and the job summary; executor/run-state folds
 * them into the run's state for every view and for the resume.
 *
 * Guarantees common to every event: `emit` resolves only once every durable sink (the file
 * journal fsynced, the audit database committed) holds the record, and the executor awaits it
 * before acting on what follows; records of one run are chained in one total order (seq), also
 * when parallel steps emit at once; data is masked (secrets never reach a record) except the
 * identifier fields (step, phase and runbook ids). A step's id is its journal id: a nested
 * runbook's steps are `<runbook>/<step>`. Each event below says when it is written and what more
 * it guarantees.
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
  /**
   * The first record of a run, written once its lock is taken and before any gate or step. Carries the plan (phases with their steps in graph order, budgets,
   * objectives) and the masked inputs: a resume reads the inputs and the plan hash back from it.
   */
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
    /** Started in GitHub Actions: the workflow file (GITHUB_WORKFLOW_REF), its event and run link (executor/run/run-origin.ts). */
    origin?: { workflow: string; event?: string; runUrl?: string };
    /** The concurrency lock was taken over from a dead run (its holder) or an unreadable lock file. */
    lockTakenOver?: { runId: string; initiator: string; pid: number; host: string; startedAt: string } | 'unreadable';
    /** The issue or pull request tracking the run, where its chain heads are published. */
    trackingIssue?: { number: number; url: string };
    /**
     * The environment the run acted on, and where that came from: `cli` (`--environment`), `runbook`
     * (its `spec.environment`), `demo` (`runbook demo`: `local`, loopback servers) or `none` (no
     * name). Drill records and reports copy it; drill freshness counts only drills of an environment
     * some runbook declares. Absent in logs written before it was recorded.
     */
    environment?: { name?: string; source: 'cli' | 'runbook' | 'demo' | 'none' };
  };
  /**
   * Written by `runbook resume` when it continues a killed or failed run in the same journal
   * (after a torn last line was cut off and the audit database reconciled), before any
   * `operator:decision` and before any step runs again. `completed` and `inDoubt` are what the
   * journal said at that moment.
   */
  'run:resume': {
    by: string;
    completed: string[];
    inDoubt: string[];
    droppedTornLine?: boolean;
    /**
     * How the local file journal was made to agree with the audit database (the journal of record)
     * before resuming: records only the database held written to the file, records only the file
     * held dropped, records that differed replaced by the database's; or, for a run journaled
     * without a database, records back-filled into it.
     */
    reconciled?: { appended: number; dropped?: number; replaced?: number; backfilled: number };
    lockTakenOver?: { runId: string; initiator: string; pid: number; host: string; startedAt: string } | 'unreadable';
  };
  /**
   * An operator's (or a policy's: `by` says `policy: …`) answer about a step in doubt at a resume,
   * written after `run:resume` and before the step is re-run or skipped. A `skip` counts as the
   * step completed for every later resume of the run: it is not asked about again.
   */
  'operator:decision': { stepId: string; decision: 'rerun' | 'skip' | 'abort'; by: string; reason?: string };
  /**
   * Written once before a phase's first step starts (again after a resume that reaches the phase).
   * For `finally`: the phases' outcome its steps see as `run.status`, and the phase steps that
   * failed (`run.failed`); both read back on resume.
   */
  'phase:start': { phaseId: string; runStatus?: RunStatus; failed?: string[] };
  /** Written after the phase's last step ended: `durationMs` from its phase:start, against its budget. */
  'phase:end': { phaseId: string; durationMs: number; budgetMs?: number };
  /**
   * Written before each attempt of a step, and durable before the action's effect begins (journal
   * first): a step:start without its step:end is an effect that may or may not have happened,
   * which the resume treats as in doubt. `attempt` counts from 1.
   */
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
  /**
   * An attempt failed with a retryable error and another follows after `delayMs`; written before
   * the delay, so the journal shows why the step is waiting. The next attempt has its own step:start.
   */
  'step:retry': { stepId: string; attempt: number; error: string; code?: ActionErrorCode; delayMs: number };
  /**
   * The step's outcome, written once per run of the step after its last attempt (or instead of
   * any attempt: skipped by its condition, refused at its approval gate, with `attempt` 0). Durable
   * before any step that needs it starts; `outputs` are what later steps read, and what a resume
   * restores for a succeeded or skipped step. `cancelled` and `timed-out` mean the effect may have
   * happened: the resume treats the step as in doubt.
   */
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
  /** Written when a gate starts waiting for approvals of a step (before its step:start for a gate, inside it for an `approval` step). */
  'approval:requested': { stepId: string; approvers: string[]; required: number; message?: string };
  /**
   * One approval the gate accepted (identity checked, plan hash matched); `count` of `required`
   * so far. The gate opens only after the grant that completes it is durable.
   */
  'approval:granted': { stepId: string; approval: ApprovalRecord; count: number; required: number };
  /**
   * An approval refused, or one that did not count (wrong plan, not an allowed approver, edited
   * comment). Without `approver` it is the gate's final answer (a rejection, a deadline): the
   * step fails or is cancelled and nobody is asked any more.
   */
  'approval:refused': {
    stepId: string;
    approver?: string;
    source: string;
    reason: string;
    membership?: 'policy' | 'github' | 'directory';
  };
  /** One item of a checklist step confirmed, and by whom; written as each item is confirmed, before the next is asked. */
  'checklist:item': { stepId: string; section?: string; text: string; confirmedBy: string; check?: string };
  /**
   * The run stopped on a failure with `on_failure: rollback`: written before the first
   * compensation runs. `steps` are the completed reversible steps, in the order they will be undone.
   */
  'rollback:start': { reason: string; steps: string[] };
  /**
   * A compensation is about to run: written (durably, like step:start) before its action begins.
   * One without a `rollback:step` after it was in flight when the run died: a resume cannot tell
   * whether it undid the step, and an operator decides (`--decide rollback:<step>=…`).
   */
  'rollback:compensate': { stepId: string };
  /**
   * A compensation ended (written after it, one at a time, in rollback order). `succeeded` means the
   * step's effect was undone: the step is no longer done, and a resume does it again.
   */
  'rollback:step': { stepId: string; status: StepStatus; error?: string };
  /**
   * The rollback is over, written before the run's run:end. `notUndone`: completed steps with a `rollback:` that were left in place, and `reason` why
   * (stopped at irreversible step X; rollback of Y failed: message). Both absent when complete.
   */
  'rollback:end': {
    status: 'complete' | 'stopped-at-irreversible' | 'failed';
    stoppedAt?: string;
    notUndone?: string[];
    reason?: string;
  };
  /**
   * The run parked at an approval gate (issue 13): the gate was still waiting after its
   * `parkAfter`, and a database journal of record holds the run, so the job ends (green) instead
   * of holding a runner. Written after the gate's approval:requested and every grant so far, as
   * the run's last record until a `run:resume` continues it (a comment or review resumes it on a
   * new runner). Not a run:end: a parked run is not over. `deadline` is when the gate's approval
   * timeout expires (ISO 8601); it keeps counting while parked, and an approval after it is refused.
   */
  'run:parked': {
    stepId: string;
    approvers: string[];
    required: number;
    granted: number;
    /** Absent when the gate has no timeout. */
    deadline?: string;
    parkAfterMs: number;
    trackingIssue?: { number: number; url: string };
    /** The run's concurrency key: while the run is parked no other run of that key starts. */
    lockKey?: string;
    /** The gate's request comment a resume continues (comments after it count; `judged` were read already) and its bot. */
    request?: { commentId: number; createdAt: string; bot: string; judged: number[] };
  };
  /**
   * One recurring update of `spec.updates` (executor/run/run-updates.ts): `sequence` counts this
   * entry's updates from 1 in this part of the run (a resume restarts the cadence). The progress
   * it reported; `status` `sent` (every delivery sent or skipped), `failed` (some delivery failed:
   * the run goes on, an update is no step) or `would-send` in a dry run, which sends nothing.
   * Always written before run:end / run:parked: the timer is stopped and drained first.
   */
  'run:update': {
    template: string;
    audience: string[];
    sequence: number;
    phase?: string;
    stepsDone: number;
    stepsTotal: number;
    elapsedMs: number;
    status: 'sent' | 'failed' | 'would-send';
    deliveries?: { audience: string; channel: string; status: string; reason?: string }[];
    calls?: string[];
    error?: string;
  };
  /** A signal (SIGINT, SIGTERM) stopped the run: written after running steps were cancelled, before run:end `interrupted`. */
  'run:interrupted': { signal: string };
  /**
   * The last record of a run (of this part of it, when resumed later), written after every
   * step, rollback and `finally` step, and also when the run is refused before its first step.
   * A run whose last run:end is `interrupted` or `failed` may be resumed; the others are over.
   */
  'run:end': { status: RunStatus; durationMs: number; recoveredAtMs?: number; error?: string };
  /**
   * A script registered values to mask (`$RUNBOOK_MASK`): salted hashes of their forms, never the
   * values. Written while the step runs, durable before its step:end, so a resume masks them too.
   */
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
