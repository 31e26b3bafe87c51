import { actionErrorCodes, type ActionErrorCode, type DependsCode } from './action-error-codes.js';

export type { ActionErrorCode } from './action-error-codes.js';

interface ErrorDetail {
  /** The provider's own name for the failure: an AWS error code, a SQLSTATE, an HTTP or exit status. */
  providerCode?: string;
  cause?: unknown;
}
/**
 * A code whose retryability is fixed takes it from the table (executor/core/action-error-codes.ts);
 * a `depends` code must say it.
 */
export type ActionErrorOptions =
  | ({ code: Exclude<ActionErrorCode, DependsCode>; retryable?: never } & ErrorDetail)
  | ({ code: DependsCode; retryable: boolean } & ErrorDetail);

/**
 * The executor's few named errors. Actions throw ActionError with one of the closed set of codes
 * in executor/core/action-error-codes.ts; `retryable` says whether a retry could help (throttling
 * yes, access denied no); anything that is not an ActionError counts as retryable.
 */
export class ActionError extends Error {
  override readonly name = 'ActionError';
  readonly code: ActionErrorCode;
  readonly retryable: boolean;
  readonly providerCode?: string;
  constructor(message: string, options: ActionErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? actionErrorCodes[options.code].retryable === 'yes';
    if (options.providerCode !== undefined) this.providerCode = options.providerCode;
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

/** The code a step's `step:retry` / `step:end` event carries for whatever its attempt threw. */
export function errorCodeOf(error: unknown): ActionErrorCode {
  if (error instanceof ActionError) return error.code;
  if (error instanceof StepTimeout) return 'timeout';
  if (error instanceof RunCancelled) return 'cancelled';
  return 'internal';
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof ActionError) return error.retryable;
  return !(error instanceof RunCancelled);
}
