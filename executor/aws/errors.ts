import { ActionError } from '../core/errors.js';

/** One AWS API call, as people read it in an error: `rds:PromoteReadReplica on my-db (us-west-2)`. */
export interface AwsCall {
  /** IAM service prefix, so `service:operation` is also the IAM action to grant. */
  readonly service: 'rds' | 'route53';
  readonly operation: string;
  /** What the call is about: an instance, a snapshot, `api.example.com CNAME in Z123`. */
  readonly resource: string;
  readonly region?: string;
}

/** Codes the SDK's standard retry already retried with backoff before giving up. */
const THROTTLING = new Set([
  'Throttling',
  'RequestLimitExceeded',
  'PriorRequestNotComplete',
  'RequestThrottled',
  'TooManyRequests',
  'SlowDown',
]);
/** The principal lacks a permission: retrying cannot help until someone changes IAM. */
const DENIED = new Set([
  'AccessDenied',
  'UnauthorizedOperation',
  'NotAuthorized',
  'AuthorizationError',
  'UnauthorizedAccess',
]);
/** The credentials themselves were refused. */
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'ExpiredToken',
  'UnrecognizedClient',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidSignature',
  'AuthFailure',
  'MissingAuthenticationToken',
  'InvalidAccessKeyId',
]);
const NOT_FOUND = /NotFound$|^NoSuch/;
const INVALID_STATE = /^Invalid\w*State$|^InvalidRestore$/;
const ALREADY_EXISTS = /AlreadyExists$/;
const BAD_REQUEST = new Set([
  'InvalidChangeBatch',
  'InvalidInput',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'ValidationError',
  'MissingParameter',
  'InvalidArgument',
]);

/**
 * The AWS error code of an SDK error, with the `Fault` / `Exception` suffix of modelled
 * exception classes removed (`DBInstanceNotFoundFault` → `DBInstanceNotFound`,
 * `ThrottlingException` → `Throttling`), so one name covers the wire code and the class name.
 * An ActionError made by {@link toActionError} answers with the code of its cause.
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  // Helpers test errors after awsCall wrapped them: look through to the SDK's error.
  if (error instanceof ActionError && error.cause !== undefined) return awsErrorCode(error.cause);
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  const raw = [e.Code, e.name, e.code].find((v): v is string => typeof v === 'string' && v !== 'Error' && v !== '');
  return raw?.replace(/(Fault|Exception)$/, '');
}

/** True when AWS reports the resource absent (`DBInstanceNotFound`, `NoSuchHostedZone`…). */
export function isNotFound(error: unknown): boolean {
  return NOT_FOUND.test(awsErrorCode(error) ?? '');
}

/** True when no retry can succeed without a change to IAM or to the credentials. */
export function isAuthError(error: unknown): boolean {
  const code = awsErrorCode(error) ?? '';
  return DENIED.has(code) || BAD_CREDENTIALS.has(code) || code === 'CredentialsProviderError';
}

/**
 * True when the client itself is misconfigured (no region, no credentials provider): every call
 * fails the same way until someone fixes the environment, so a waiter should stop at once.
 */
export function isConfigError(error: unknown): boolean {
  if (error instanceof ActionError) return isConfigError(error.cause);
  const code = awsErrorCode(error) ?? '';
  return code === 'CredentialsProviderError' || /Region is missing/i.test(messageOf(error));
}

/** True for the errors whose `code` (normalised) is `code`, e.g. `isAwsError(e, 'DBSnapshotAlreadyExists')`. */
export function isAwsError(error: unknown, code: string): boolean {
  return awsErrorCode(error) === code;
}

/**
 * Turns an SDK error into the ActionError the scheduler retries or not. Throttling reaching us
 * means the SDK's own retries are spent: the step's `retry:` may still help later, so it stays
 * retryable. Client faults (4xx) are the caller's problem and never retried; server faults and
 * network errors are.
 */
export function toActionError(error: unknown, call: AwsCall): ActionError {
  if (error instanceof ActionError) return error;
  const code = awsErrorCode(error) ?? 'Unknown';
  const detail = messageOf(error);
  const op = `${call.service}:${call.operation}`;
  const on = `${op} on ${call.resource}`;
  const inRegion = call.region ? ` in ${call.region}` : '';
  const fail = (message: string, retryable: boolean, c = code) =>
    new ActionError(message, { retryable, code: c, cause: error });

  if (THROTTLING.has(code))
    return fail(
      `${on}${inRegion} was throttled by AWS (${code}) after the SDK's retries: ${detail}`,
      true,
      'Throttled',
    );
  if (DENIED.has(code)) {
    return fail(
      `${on} was denied: check the run's IAM role allows ${op}${inRegion} (${code}: ${detail})`,
      false,
      'AccessDenied',
    );
  }
  if (BAD_CREDENTIALS.has(code)) {
    return fail(
      `${on} was refused: the AWS credentials are invalid or expired (${code}: ${detail}); refresh the run's credentials`,
      false,
      'InvalidCredentials',
    );
  }
  if (code === 'CredentialsProviderError') {
    return fail(
      `${on}: no AWS credentials found by the standard chain (env, profile, SSO, web identity, instance role): ${detail}`,
      false,
      'NoCredentials',
    );
  }
  if (/Region is missing/i.test(detail))
    return fail(`${on}: no AWS region; set \`region\` on the step, or AWS_REGION`, false, 'NoRegion');
  if (NOT_FOUND.test(code))
    return fail(`${on}${inRegion} failed: ${missingKind(code)} not found (${code}: ${detail})`, false);
  if (INVALID_STATE.test(code))
    return fail(`${on}${inRegion} is not possible in its current state (${code}: ${detail})`, false);
  if (ALREADY_EXISTS.test(code)) return fail(`${on}${inRegion}: it already exists (${code}: ${detail})`, false);
  if (BAD_REQUEST.has(code)) return fail(`${on}${inRegion} was rejected as invalid (${code}: ${detail})`, false);
  const http = httpStatusOf(error);
  if (http !== undefined && http >= 500 && isUnparsedBody(error, detail)) {
    // A proxy's or load balancer's HTML error page, not an AWS answer: the SDK can only say it
    // could not parse it ("XML parse error"), which hides what happened.
    return fail(
      `${on}${inRegion} failed: HTTP ${http} from the endpoint, with a body that is not an AWS response (a proxy, load balancer or outage page)`,
      true,
      `HTTP${http}`,
    );
  }
  if (/QuotaExceeded$/.test(code))
    return fail(`${on}${inRegion}: an AWS quota is exhausted (${code}: ${detail})`, false);
  const clientFault = (error as { $fault?: string } | null)?.$fault === 'client';
  return fail(`${on}${inRegion} failed (${code}: ${detail})`, !clientFault);
}

/** The HTTP status of the response an SDK error came from, when there was one. */
function httpStatusOf(error: unknown): number | undefined {
  const e = error as { $response?: { statusCode?: number }; $metadata?: { httpStatusCode?: number } } | null;
  return e?.$response?.statusCode ?? e?.$metadata?.httpStatusCode;
}

/** True when the SDK could not deserialize the body (HTML instead of XML/JSON). */
function isUnparsedBody(error: unknown, detail: string): boolean {
  const e = error as { $responseBodyText?: unknown } | null;
  return (
    typeof e?.$responseBodyText === 'string' ||
    /Deserialization error|parse error|Unexpected token|not expected/i.test(detail)
  );
}

function missingKind(code: string): string {
  const kinds: Record<string, string> = {
    DBInstanceNotFound: 'RDS instance',
    DBSnapshotNotFound: 'RDS snapshot',
    NoSuchHostedZone: 'hosted zone',
    NoSuchChange: 'Route 53 change',
    NoSuchHealthCheck: 'health check',
  };
  return kinds[code] ?? 'resource';
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
