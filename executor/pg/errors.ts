import { ActionError, type ActionErrorOptions } from '../core/errors.js';
import type { SecretMasker } from '../core/secrets.js';

/**
 * SQLSTATEs (classes of two characters, or full codes) for which a retry cannot help: the same
 * statement against the same server fails the same way until a person changes something.
 * Everything else — connection exceptions (08), admin/crash shutdown and "starting up" (57P0x),
 * too many connections (53300), serialization failures and deadlocks (40), lock timeouts (55P03),
 * statement timeouts (57014) — stays retryable, as the ActionError contract defaults to.
 */
const permanentSqlStates = [
  '0A', // feature not supported
  '22', // data exception (bad input value)
  '23', // integrity constraint violation
  '25', // invalid transaction state, incl. 25006 read-only transaction (a fenced primary, a standby)
  '26', // invalid SQL statement name
  '28', // invalid authorization: 28P01 wrong password, 28000 no pg_hba.conf entry
  '2B',
  '2D',
  '2F',
  '34',
  '3D', // database does not exist
  '3F', // schema does not exist
  '42', // syntax error (42601), undefined objects (42P01, 42883, 42703), permission denied (42501)
  '44', // WITH CHECK OPTION violation
  '54', // program limit exceeded
  '55000', // object not in prerequisite state, e.g. "recovery is not in progress"
];

/** 25P03: the server closed an idle-in-transaction session; a new connection is fine. */
const retryableExceptions = ['25P03'];

/** Node socket errors that mean the server is (maybe temporarily) unreachable. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'ENOENT',
]);

/** Whether a failure with this SQLSTATE could succeed when tried again. */
export function isRetryableSqlState(code: string): boolean {
  if (retryableExceptions.includes(code)) return true;
  return !permanentSqlStates.some((prefix) => code.startsWith(prefix));
}

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  detail?: unknown;
  errors?: unknown;
}

/**
 * Turns whatever pg or the socket threw into an ActionError whose message names the target but
 * never its password: scrubbed here (the URL may be inline rather than a registered secret) and
 * then masked with the run's secrets.
 */
export function toActionError(error: unknown, where: string, secrets: SecretMasker, password: string): ActionError {
  if (error instanceof ActionError) return error;
  const e = (error ?? {}) as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const isSqlState = code !== undefined && /^[0-9A-Z]{5}$/.test(code);
  let text = messageOf(e);
  if (isSqlState && typeof e.detail === 'string' && e.detail) text += ` — ${e.detail}`;
  text += code ? ` (${isSqlState ? `SQLSTATE ${code}` : code})` : '';

  return new ActionError(scrub(`${where}: ${text}`, secrets, password), {
    ...classify(code, isSqlState, text),
    ...(code ? { providerCode: code } : {}),
    cause: error,
  });
}

function classify(code: string | undefined, isSqlState: boolean, text: string): ActionErrorOptions {
  if (isSqlState) {
    if (code!.startsWith('28')) return { code: 'auth-failed' };
    if (code === '42501') return { code: 'access-denied' };
    return { code: 'sql-error', retryable: isRetryableSqlState(code!) };
  }
  if (code && networkCodes.has(code)) return { code: 'network' };
  // SCRAM without a password in the URL: an authentication problem, like 28P01.
  if (/^SASL:|password must be a string/i.test(text)) return { code: 'auth-failed' };
  // Certificate and SSL negotiation problems are configuration, not weather.
  if (/CERT|SELF_SIGNED|ERR_TLS|does not support SSL/i.test(`${code ?? ''} ${text}`)) return { code: 'config' };
  // What is left comes from the client or the socket without a code ("Connection terminated
  // unexpectedly", a connect timeout): the connection, not the statement, failed.
  return { code: 'network' };
}

function messageOf(e: ErrorLike): string {
  if (typeof e.message === 'string' && e.message) return e.message;
  // Node's happy-eyeballs connect (localhost → ::1 and 127.0.0.1) throws an AggregateError with no message.
  if (Array.isArray(e.errors) && e.errors.length > 0) return messageOf(e.errors[0] as ErrorLike);
  return typeof e.code === 'string' ? 'connection failed' : String(e);
}

/** Removes a URL's password (by value and in any `scheme://user:password@` form), then masks secrets. */
export function scrub(text: string, secrets: SecretMasker, password: string): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
  // Very short passwords would mask random text; the URL form above still covers them.
  if (password.length >= 4) {
    for (const form of [password, encodeURIComponent(password)]) out = out.split(form).join('***');
  }
  return secrets.mask(out);
}
