import type { Reconciled } from '../audit/reconcile-db.js';
import type { RunStatus, StepStatus } from '../core/events.js';
import type { JournaledRollbackData } from './rollback-data.js';
import type { ParkedRequest } from '../core/parked.js';

/** What `runbook resume` reconstructed from a run's audit log. */
export interface ResumeState {
  readonly runId: string;
  readonly planHash: string;
  readonly inputs: Record<string, unknown>;
  readonly tail: { readonly seq: number; readonly hash: string };
  readonly restored: ReadonlyMap<string, { status: StepStatus; outputs: Record<string, unknown> }>;
  readonly inDoubt: string[];
  readonly decisions: { stepId: string; decision: 'rerun' | 'skip' | 'abort'; by: string; reason?: string }[];
  readonly droppedTornLine?: boolean;
  /** How the file journal was made to agree with the audit database before resuming (reconcile-db.ts). */
  readonly reconciled?: Reconciled;
  /** The git commit the run was started from (its records'), to name it when the checkout differs. */
  readonly commit?: string | null;
  /** Salted hashes of values scripts registered through `$RUNBOOK_MASK` (`mask:add` records). */
  readonly masks?: readonly string[];
  /** Killed inside `finally`: the phases' outcome; the resume runs only the finally steps left. */
  readonly phasesEnded?: { readonly status: RunStatus; readonly failed: readonly string[] };
  /** The last `step:rollback-data` of each step not undone since, by journal step id (masked). */
  readonly rollbackData?: Readonly<Record<string, JournaledRollbackData>>;
  /** Parked at an approval gate (issue 13): the gate to continue with its original request. */
  readonly parked?: ParkedRequest;
}
