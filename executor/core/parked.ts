import type { RunEvents } from './events.js';

/** What a gate that parks tells the run: the run's own fields (tracking issue, lock key) are added by the run. */
export type GatePark = Omit<RunEvents['run:parked'], 'trackingIssue' | 'lockKey'>;

/** A gate answered on GitHub parks after `parkAfterMs` when nothing else decides it (issue 13). */
export const defaultParkAfterMs = 10 * 60_000;

/**
 * Thrown by an approval gate that parks the run instead of waiting in the job: the scheduler
 * starts nothing new, lets running steps end, writes no step:end for the gate's step, and the
 * run journals `run:parked` as its last record (no run:end: the run is not over). Never a
 * failure, never retried.
 */
export class GateParked extends Error {
  override readonly name = 'GateParked';
  constructor(readonly park: GatePark) {
    super(`waiting for approval of ${park.stepId}`);
  }
}

/**
 * A parked gate as a resume continues it (executor/run/parked-gate.ts reads it from the journal):
 * its ORIGINAL request comment (comments after it count, those already judged are not judged
 * again), the deadline counted from the original request, and the grants already journaled
 * (M-of-N holds across the park).
 */
export interface ParkedRequest {
  readonly stepId: string;
  readonly commentId: number;
  /** The request comment's created_at (GitHub's clock), ISO 8601. */
  readonly createdAt: string;
  /** The login that posted the request (its own comments never count). */
  readonly bot: string;
  readonly judged: readonly number[];
  /** When the approval timeout expires, ISO 8601; absent without a timeout. */
  readonly deadline?: string;
  /** Who started the run: the no-self-approval check is about them, not whoever resumed it. */
  readonly initiator: string;
  readonly grants: readonly { readonly approver: string; readonly commentId: number; readonly textSha256?: string }[];
  /** Where the gate was asked: the resumed run reports there again. */
  readonly trackingIssue?: { readonly number: number; readonly url: string };
}
