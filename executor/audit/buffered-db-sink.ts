import type { AuditRecord, AuditSink } from './record.js';

/**
 * The audit database as a sink that survives an outage. The file journal is the durable copy
 * the executor relies on (journal first); the database is a second, tamper-resistant copy. So
 * when the database cannot be reached, records are kept in memory in order, the run goes on,
 * and a background loop retries with backoff and back-fills them in seq order once it answers.
 * Anything else (a refused insert, another writer's record under the same seq) still stops the
 * run: that is not an outage but a problem with the trail itself.
 */
export interface BufferedDbSink extends AuditSink {
  /** Records not (yet) in the database. */
  readonly pending: number;
  /** Waits for the queue, tries once more to back-fill, then closes. Never throws for an outage. */
  close(): Promise<void>;
}

/** A fresh inner sink, per connection attempt (the inner sink is fail-stop once it failed). */
export type SinkFactory = () => AuditSink & { close(): Promise<void> };

export interface BufferedDbSinkOptions {
  readonly open: SinkFactory;
  /** Told when an outage starts and ends (no secrets: messages name no URL). */
  readonly notice?: (message: string) => void;
  /** Backoff bounds of the retry loop, ms; default 200 → 5000. */
  readonly backoff?: { readonly firstMs: number; readonly maxMs: number };
}

/**
 * Errors that mean "the server is not there (now)", as opposed to "the server said no": network
 * errors, connection exceptions (class 08), shutdown and start-up (57P01-03), and the transient
 * ones of a failover or a full server: read-only standby (25006), insufficient resources (53).
 */
export function isUnreachable(error: unknown): boolean {
  for (
    let e = error as { message?: string; code?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (
      typeof e.code === 'string' &&
      (/^(08|53)/.test(e.code) ||
        /^(57P0[123]|25006)$/.test(e.code) ||
        /^E(CONNREFUSED|CONNRESET|TIMEDOUT|PIPE|HOSTUNREACH|NETUNREACH|AI_AGAIN|NOTFOUND)$/.test(e.code))
    )
      return true;
    if (
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|Connection terminated|connection timeout|timeout exceeded|Query read timeout|terminating connection|not queryable|database system is (starting up|shutting down|in recovery)/i.test(
        e.message ?? '',
      )
    )
      return true;
  }
  return false;
}

export function createBufferedDbSink(options: BufferedDbSinkOptions): BufferedDbSink {
  const { firstMs, maxMs } = options.backoff ?? { firstMs: 200, maxMs: 5000 };
  const notice = options.notice ?? (() => undefined);
  let inner: ReturnType<SinkFactory> | undefined;
  const backlog: AuditRecord[] = [];
  let retrying: Promise<void> | undefined;
  let closing = false;
  let wake: (() => void) | undefined;
  let failure: { error: unknown } | undefined;

  /** Forgets the failed connection; a new one is opened for the next attempt. */
  const drop = () => {
    const old = inner;
    inner = undefined;
    void old?.close().catch(() => undefined);
  };

  /** Writes the backlog from its head, in order; false while the database is unreachable. */
  async function flushBacklog(): Promise<boolean> {
    while (backlog.length) {
      const batch = backlog.slice(0, 500);
      inner ??= options.open();
      try {
        await inner.write(batch);
      } catch (e) {
        drop();
        if (isUnreachable(e)) return false;
        throw e;
      }
      backlog.splice(0, batch.length);
    }
    return true;
  }

  async function retryLoop(): Promise<void> {
    let wait = firstMs;
    while (!closing) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        wake = () => (clearTimeout(t), resolve());
      });
      wake = undefined;
      if (closing) return;
      const n = backlog.length;
      if (await flushBacklog()) {
        notice(`audit database reachable again: ${n} buffered record${n === 1 ? '' : 's'} back-filled`);
        return;
      }
      wait = Math.min(maxMs, wait * 2);
    }
  }

  /** One retry loop at a time, restarted if records arrived as the last one finished. */
  function ensureRetrying(): void {
    if (retrying || closing) return;
    retrying = retryLoop()
      .catch((error: unknown) => {
        failure = { error };
      })
      .finally(() => {
        retrying = undefined;
        if (backlog.length && !failure) ensureRetrying();
      });
  }

  return {
    name: 'postgresql runbook_audit',
    get pending() {
      return backlog.length;
    },
    async write(records) {
      if (failure) throw failure.error;
      if (backlog.length) {
        // Behind older records that are not stored yet: order is kept by queueing.
        backlog.push(...records);
        ensureRetrying();
        return;
      }
      inner ??= options.open();
      try {
        await inner.write(records);
      } catch (e) {
        drop();
        if (!isUnreachable(e)) throw e;
        // Synchronously, so records failing together are queued in the order they were written.
        if (backlog.length === 0)
          notice(
            `audit database unreachable (${messageOf(e)}): records are kept and back-filled when it answers; the run goes on (the file journal is durable)`,
          );
        backlog.push(...records);
        ensureRetrying();
      }
    },
    async close() {
      closing = true;
      wake?.();
      await retrying;
      // One last attempt: the database may be back by now.
      if (backlog.length && !failure) await flushBacklog().catch(() => false);
      const last = inner;
      inner = undefined;
      await last?.close().catch(() => undefined);
    },
  };
}

function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^PostgreSQL audit insert failed twice: /, '');
}
