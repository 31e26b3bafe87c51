import net from 'node:net';
import type pg from 'pg';
import type { ActionContext } from '../actions/action.js';
import { toActionError } from './errors.js';
import { resolveTarget, type PgTarget, type ResolvedTarget } from './target.js';

/** How long to wait for a TCP connection and authentication when the step does not say otherwise. */
export const defaultConnectTimeoutMs = 10_000;

/** Bounds the goodbye (Terminate message, cancel request) so a dead server cannot hold a step open. */
const closeTimeoutMs = 2_000;

/** Options of withPgClient. */
export interface PgClientOptions {
  /** Overrides defaultConnectTimeoutMs. */
  readonly connectTimeoutMs?: number;
  /** Server-side statement_timeout; defaults to the step's own timeout from the graph. */
  readonly statementTimeoutMs?: number;
}

/** What a callback of withPgClient receives. */
export interface PgSession {
  readonly client: pg.Client;
  readonly target: ResolvedTarget;
  /** Runs one statement with the extended protocol (so exactly one statement) and JSON-friendly types. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * Opens a pg.Client on `target` for the duration of `work`, then always closes it.
 *
 * - Aborting `ctx.signal` sends PostgreSQL's CancelRequest for the running statement (the server
 *   keeps running a query whose client merely disconnected) and rejects with the signal's reason.
 * - statement_timeout is the step's timeout, a server-side backstop for when this process dies
 *   before it can cancel.
 * - Every failure becomes an ActionError with the target described and the password removed;
 *   `retryable` follows the SQLSTATE or socket error (see errors.ts).
 */
export async function withPgClient<T>(
  target: PgTarget,
  ctx: ActionContext,
  work: (session: PgSession) => Promise<T>,
  options: PgClientOptions = {},
): Promise<T> {
  const resolved = resolveTarget(target);
  const where = `PostgreSQL ${resolved.display}`;
  // The driver is loaded by the first connection, not with the actions that use it: `runbook plan`
  // of a runbook that queries PostgreSQL describes its steps without loading pg.
  const [{ default: pg }, { resultTypes }] = await Promise.all([import('pg'), import('./types.js')]);
  if (ctx.signal.aborted) throw ctx.signal.reason;

  const statementTimeout = options.statementTimeoutMs ?? stepTimeoutMs(ctx);
  const client = new pg.Client({
    connectionString: resolved.connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs ?? defaultConnectTimeoutMs,
    ...(statementTimeout ? { statement_timeout: statementTimeout } : {}),
    application_name: `runbook ${ctx.run.runbook}/${ctx.step.id}`.slice(0, 63),
    types: resultTypes,
  });
  // After connecting, pg reports a dropped connection (e.g. 57P01 admin shutdown) as an 'error'
  // event, which would crash the process without a listener; the pending query rejects anyway.
  client.on('error', () => undefined);

  const session: PgSession = {
    client,
    target: resolved,
    query: (sql, params = []) => client.query({ text: sql, values: params, queryMode: 'extended' } as pg.QueryConfig),
  };
  let cancelling: Promise<void> | undefined;
  try {
    await abortable(client.connect(), ctx.signal, () => undefined);
    return await abortable(work(session), ctx.signal, () => {
      cancelling = sendCancel(client);
    });
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw toActionError(error, where, ctx.secrets, resolved.password);
  } finally {
    await withCap(Promise.all([cancelling, client.end()]));
  }
}

/** The step's timeout, from the graph the run executes (undefined outside a graph). */
function stepTimeoutMs(ctx: ActionContext): number | undefined {
  const nodes = ctx.services?.graph?.nodes ?? [];
  return nodes.find((n) => n.id === ctx.step.id)?.timeoutMs;
}

/** Races `work` against the signal; `onAbort` starts the clean-up that makes `work` settle. */
async function abortable<T>(work: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  // `work` may reject after the abort won the race (57014 after the cancel): not unhandled.
  work.catch(() => undefined);
  let listener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    listener = () => {
      onAbort();
      reject(signal.reason);
    };
    if (signal.aborted) listener();
    else signal.addEventListener('abort', listener, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', listener!);
  }
}

/** pg keeps the backend key in untyped fields; host/port are the ones it connected to. */
interface BackendKey {
  processID?: number | null;
  secretKey?: number | null;
  host?: string;
  port?: number;
}

/**
 * Sends the protocol's CancelRequest (what libpq's PQcancel does) on a fresh socket: it needs no
 * authentication, only the backend's process id and secret key.
 */
function sendCancel(client: pg.Client): Promise<void> {
  const key = client as unknown as BackendKey;
  if (typeof key.processID !== 'number' || typeof key.secretKey !== 'number' || !key.host) return Promise.resolve();
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4); // the CancelRequest code: 1234 << 16 | 5678
  packet.writeInt32BE(key.processID, 8);
  packet.writeInt32BE(key.secretKey, 12);
  return new Promise((resolve) => {
    const socket = key.host!.startsWith('/')
      ? net.connect(`${key.host}/.s.PGSQL.${key.port ?? 5432}`)
      : net.connect(key.port ?? 5432, key.host);
    socket.setTimeout(closeTimeoutMs);
    socket.once('connect', () => socket.end(packet));
    // The server closes the socket once it has read the request: that is the acknowledgement.
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
    socket.once('timeout', () => socket.destroy());
  });
}

async function withCap(promise: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, closeTimeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([promise.catch(() => undefined), cap]);
  } finally {
    clearTimeout(timer);
  }
}
