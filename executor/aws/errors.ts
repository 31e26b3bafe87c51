import type { ActionErrorCode, DependsCode } from '../core/action-error-codes.js';
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
/** Node socket errors: the endpoint was unreachable or the connection broke. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
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
  const providerCode = awsErrorCode(error);
  const op = `${call.service}:${call.operation}`;
  const on = `${op} on ${call.resource}`;
  const inRegion = call.region ? ` in ${call.region}` : '';
  const [code, message] = classify(providerCode ?? 'Unknown', messageOf(error), error, { op, on, inRegion });
  return new ActionError(message, { code, cause: error, ...(providerCode ? { providerCode } : {}) });
}

type FixedCode = Exclude<ActionErrorCode, DependsCode>;

/** The action error code and message for an AWS error code (normalised by {@link awsErrorCode}). */
function classify(
  code: string,
  detail: string,
  error: unknown,
  { op, on, inRegion }: { op: string; on: string; inRegion: string },
): [FixedCode, string] {
  if (THROTTLING.has(code))
    return ['throttled', `${on}${inRegion} was throttled by AWS (${code}) after the SDK's retries: ${detail}`];
  if (DENIED.has(code))
    return ['access-denied', `${on} was denied: check the run's IAM role allows ${op}${inRegion} (${code}: ${detail})`];
  if (BAD_CREDENTIALS.has(code)) {
    const why = `the AWS credentials are invalid or expired (${code}: ${detail}); refresh the run's credentials`;
    return ['auth-failed', `${on} was refused: ${why}`];
  }
  if (code === 'CredentialsProviderError') {
    const chain = 'env, profile, SSO, web identity, instance role';
    return ['auth-failed', `${on}: no AWS credentials found by the standard chain (${chain}): ${detail}`];
  }
  if (/Region is missing/i.test(detail))
    return ['config', `${on}: no AWS region; set \`region\` on the step, or AWS_REGION`];
  if (NOT_FOUND.test(code))
    return ['not-found', `${on}${inRegion} failed: ${missingKind(code)} not found (${code}: ${detail})`];
  if (INVALID_STATE.test(code))
    return ['invalid-state', `${on}${inRegion} is not possible in its current state (${code}: ${detail})`];
  if (ALREADY_EXISTS.test(code)) return ['already-exists', `${on}${inRegion}: it already exists (${code}: ${detail})`];
  if (BAD_REQUEST.has(code))
    return ['invalid-request', `${on}${inRegion} was rejected as invalid (${code}: ${detail})`];
  const http = httpStatusOf(error);
  if (http !== undefined && http >= 500 && isUnparsedBody(error, detail)) {
    // A proxy's or load balancer's HTML error page, not an AWS answer: the SDK can only say it
    // could not parse it ("XML parse error"), which hides what happened.
    const what = 'with a body that is not an AWS response (a proxy, load balancer or outage page)';
    return ['provider-error', `${on}${inRegion} failed: HTTP ${http} from the endpoint, ${what}`];
  }
  if (/QuotaExceeded$/.test(code))
    return ['quota-exceeded', `${on}${inRegion}: an AWS quota is exhausted (${code}: ${detail})`];
  const failed = `${on}${inRegion} failed (${code}: ${detail})`;
  if (NETWORK.has(code)) return ['network', failed];
  // Client faults (4xx) are the caller's problem and never retried; server faults are.
  const clientFault = (error as { $fault?: string } | null)?.$fault === 'client';
  return [clientFault ? 'invalid-request' : 'provider-error', failed];
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
