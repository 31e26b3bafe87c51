import { toActionError, type AwsCall } from './errors.js';

/** Options every SDK `send` accepts: the step's signal aborts the HTTP request in flight. */
export interface SendOptions {
  readonly abortSignal: AbortSignal;
}

/**
 * Runs one SDK call bounded by the step's signal. On abort it rethrows the signal's reason
 * (StepTimeout, RunCancelled) rather than the SDK's AbortError, so the scheduler sees why the
 * step stopped; any other failure becomes an ActionError naming the call (see toActionError).
 */
export async function awsCall<T>(
  call: AwsCall,
  signal: AbortSignal,
  send: (options: SendOptions) => Promise<T>,
): Promise<T> {
  if (signal.aborted) throw signal.reason;
  try {
    return await send({ abortSignal: signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw toActionError(error, call);
  }
}

/** `350ms`, `12s`, `5m3s`, `1h2m`: the duration style of the runbook format. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ''}`;
}
