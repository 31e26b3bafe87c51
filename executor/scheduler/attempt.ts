import type { IrNode } from '../../ir/types.js';
import type { Clock } from '../core/clock.js';
import { RunCancelled, StepTimeout } from '../core/errors.js';
import type { StepStatus } from '../core/events.js';
import type { AttemptResult, StepRunner } from './step-runner.js';

/**
 * Runs one attempt with the step's timeout and the run's cancellation. The attempt is raced
 * against its signal, so an action that ignores the signal cannot hold the run hostage.
 */
export async function runAttempt(
  node: IrNode,
  attempt: number,
  runner: StepRunner,
  clock: Clock,
  runSignal: AbortSignal,
): Promise<AttemptResult> {
  const ctrl = new AbortController();
  const onRunAbort = () => ctrl.abort(new RunCancelled('run cancelled'));
  if (runSignal.aborted) onRunAbort();
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  // Only steps with a timeout pay for a timer (an AbortController and a DOMException on abort).
  const timer = node.timeoutMs !== undefined ? new AbortController() : undefined;
  if (timer)
    clock.sleep(node.timeoutMs!, timer.signal).then(
      () => ctrl.abort(new StepTimeout(node.timeoutMs!)),
      () => undefined,
    );
  try {
    return await Promise.race([runner.attempt(node, attempt, ctrl.signal), rejectOnAbort(ctrl.signal)]);
  } finally {
    timer?.abort();
    runSignal.removeEventListener('abort', onRunAbort);
  }
}

/** The same race for a rollback body. */
export async function withSignal<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number | undefined,
  clock: Clock,
  runSignal: AbortSignal,
): Promise<T> {
  const ctrl = new AbortController();
  const timer = new AbortController();
  const onRunAbort = () => ctrl.abort(new RunCancelled('run cancelled'));
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  if (timeoutMs !== undefined)
    clock.sleep(timeoutMs, timer.signal).then(
      () => ctrl.abort(new StepTimeout(timeoutMs)),
      () => undefined,
    );
  try {
    return await Promise.race([work(ctrl.signal), rejectOnAbort(ctrl.signal)]);
  } finally {
    timer.abort();
    runSignal.removeEventListener('abort', onRunAbort);
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** How an error ends a step. */
export function statusOf(error: unknown): StepStatus {
  if (error instanceof StepTimeout) return 'timed-out';
  if (error instanceof RunCancelled) return 'cancelled';
  return 'failed';
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
