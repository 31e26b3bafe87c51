/**
 * The executor's few named errors. Actions throw ActionError with `retryable` saying whether a
 * retry could help (throttling yes, access denied no); anything else counts as retryable.
 */
export class ActionError extends Error {
  override readonly name = 'ActionError';
  constructor(
    message: string,
    readonly options: { retryable: boolean; code?: string; cause?: unknown } = { retryable: true },
  ) {
    super(message, { cause: options.cause });
  }
  get retryable(): boolean {
    return this.options.retryable;
  }
  get code(): string | undefined {
    return this.options.code;
  }
}

/** A user error before anything ran: bad input, unknown runbook, lock held, approval refused up front. */
export class RunRefused extends Error {
  override readonly name = 'RunRefused';
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown into a step when the run is being stopped (SIGINT/SIGTERM, abort policy). */
export class RunCancelled extends Error {
  override readonly name = 'RunCancelled';
}

/** A step attempt ran out of time. */
export class StepTimeout extends Error {
  override readonly name = 'StepTimeout';
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof ActionError) return error.retryable;
  return !(error instanceof RunCancelled);
}
