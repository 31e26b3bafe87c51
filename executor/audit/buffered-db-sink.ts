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
  return new OutageBufferingSink(options);
}

/**
 * The state shared by the write path, the retry loop and close: the backlog (records not yet
 * stored, in seq order), the current inner sink, and the fatal failure that stops the run.
 */
class OutageBufferingSink implements BufferedDbSink {
  readonly name = 'postgresql runbook_audit';
  private readonly firstMs: number;
  private readonly maxMs: number;
  private readonly notice: (message: string) => void;
  private inner: ReturnType<SinkFactory> | undefined;
  private readonly backlog: AuditRecord[] = [];
  private retrying: Promise<void> | undefined;
  private closing = false;
  private wake: (() => void) | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly options: BufferedDbSinkOptions) {
    const { firstMs, maxMs } = options.backoff ?? { firstMs: 200, maxMs: 5000 };
    this.firstMs = firstMs;
    this.maxMs = maxMs;
    this.notice = options.notice ?? (() => undefined);
  }

  get pending(): number {
    return this.backlog.length;
  }

  async write(records: readonly AuditRecord[]): Promise<void> {
    if (this.failure) throw this.failure.error;
    if (this.backlog.length) {
      // Behind older records that are not stored yet: order is kept by queueing.
      this.backlog.push(...records);
      this.ensureRetrying();
      return;
    }
    this.inner ??= this.options.open();
    try {
      await this.inner.write(records);
    } catch (e) {
      this.drop();
      if (!isUnreachable(e)) throw e;
      this.startBuffering(records, e);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    await this.retrying;
    // One last attempt: the database may be back by now.
    if (this.backlog.length && !this.failure) await this.flushBacklog().catch(() => false);
    const last = this.inner;
    this.inner = undefined;
    await last?.close().catch(() => undefined);
  }

  /** Queues records the database could not take; called synchronously after the failed write. */
  private startBuffering(records: readonly AuditRecord[], error: unknown): void {
    // Synchronously, so records failing together are queued in the order they were written.
    if (this.backlog.length === 0)
      this.notice(
        `audit database unreachable (${messageOf(error)}): records are kept and back-filled when it answers; the run goes on (the file journal is durable)`,
      );
    this.backlog.push(...records);
    this.ensureRetrying();
  }

  /** Forgets the failed connection; a new one is opened for the next attempt. */
  private drop(): void {
    const old = this.inner;
    this.inner = undefined;
    void old?.close().catch(() => undefined);
  }

  /** Writes the backlog from its head, in order; false while the database is unreachable. */
  private async flushBacklog(): Promise<boolean> {
    while (this.backlog.length) {
      const batch = this.backlog.slice(0, 500);
      this.inner ??= this.options.open();
      try {
        await this.inner.write(batch);
      } catch (e) {
        this.drop();
        if (isUnreachable(e)) return false;
        throw e;
      }
      this.backlog.splice(0, batch.length);
    }
    return true;
  }

  /** Sleeps `ms`, or less if close() wakes it. */
  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => (clearTimeout(t), resolve());
    });
    this.wake = undefined;
  }

  /** Retries the back-fill with doubling waits until it succeeds, fails for good, or close() begins. */
  private async retryLoop(): Promise<void> {
    let wait = this.firstMs;
    while (!this.closing) {
      await this.sleep(wait);
      if (this.closing) return;
      const n = this.backlog.length;
      if (await this.flushBacklog()) {
        this.notice(`audit database reachable again: ${n} buffered record${n === 1 ? '' : 's'} back-filled`);
        return;
      }
      wait = Math.min(this.maxMs, wait * 2);
    }
  }

  /** One retry loop at a time, restarted if records arrived as the last one finished. */
  private ensureRetrying(): void {
    if (this.retrying || this.closing) return;
    this.retrying = this.retryLoop()
      .catch((error: unknown) => {
        this.failure = { error };
      })
      .finally(() => {
        this.retrying = undefined;
        if (this.backlog.length && !this.failure) this.ensureRetrying();
      });
  }
}

function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^PostgreSQL audit insert failed twice: /, '');
}
