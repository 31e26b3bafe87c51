import { RunRefused } from '../core/errors.js';
import type { AuditRecord, AuditSink } from './record.js';

/**
 * The audit database as the journal of record. `write` resolves only once the records are
 * committed there, so a step's `step:start` is in PostgreSQL before its action begins, and a run
 * lost with its runner can be resumed from the database alone (`runbook resume --audit-db`).
 * A record that is only in memory (the old "buffer through an outage") cannot be resumed
 * anywhere else, so an outage now holds the run at its next record instead: the sink reconnects
 * and retries with bounded backoff for at most `retryMs`, then fails; the audit log turns that
 * into AuditWriteError and the run stops, resumable once the database answers.
 * Anything else (a refused insert, another writer's record under the same seq) fails at once:
 * that is not an outage but a problem with the trail itself.
 */
export interface DbJournalSink extends AuditSink {
  /** Waits for queued records (retrying as above), then closes the connection. */
  close(): Promise<void>;
}

/** A fresh inner sink, per connection attempt (the inner sink is fail-stop once it failed). */
export type SinkFactory = () => AuditSink & { close(): Promise<void> };

export interface DbJournalSinkOptions {
  readonly open: SinkFactory;
  /** How long an outage may hold the run before it stops, ms (see defaultRetryMs). */
  readonly retryMs?: number;
  /** Told when an outage starts and ends (no secrets: messages name no URL). */
  readonly notice?: (message: string) => void;
  /** Backoff bounds between attempts, ms; default 200 → 5000. */
  readonly backoff?: { readonly firstMs: number; readonly maxMs: number };
}

/**
 * 120 s: long enough to ride out a managed PostgreSQL failover, which Amazon RDS Multi-AZ says
 * "typically completes within 60–120 seconds" (RDS User Guide, "Failover process for Amazon
 * RDS"), and short enough that a database that is really gone stops the run well inside the
 * job's time limit, leaving it resumable on another runner. RUNBOOK_AUDIT_DB_RETRY_SECONDS
 * changes it.
 */
export const defaultRetryMs = 120_000;

/** The retry window from RUNBOOK_AUDIT_DB_RETRY_SECONDS (a non-negative number), else the default. */
export function retryMsFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.RUNBOOK_AUDIT_DB_RETRY_SECONDS;
  if (raw === undefined || raw === '') return defaultRetryMs;
  const s = Number(raw);
  if (!Number.isFinite(s) || s < 0)
    throw new RunRefused(`RUNBOOK_AUDIT_DB_RETRY_SECONDS must be a number of seconds, not "${raw}"`);
  return s * 1000;
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

export function createDbJournalSink(options: DbJournalSinkOptions): DbJournalSink {
  return new RetryingDbSink(options);
}

interface Waiting {
  readonly records: readonly AuditRecord[];
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * While the database answers, writes go straight to the inner sink (its group commit batches
 * parallel steps). After an unreachable error, records wait in order in `backlog`, and one loop
 * flushes it from its head with backoff; their writers are told when they are committed, or
 * the failure once the window is spent.
 */
class RetryingDbSink implements DbJournalSink {
  readonly name = 'postgresql runbook_audit';
  private inner: ReturnType<SinkFactory> | undefined;
  private readonly backlog: Waiting[] = [];
  private recovering: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly options: DbJournalSinkOptions) {}

  write(records: readonly AuditRecord[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    // Behind older records that are not stored yet: order is kept by queueing.
    if (this.backlog.length) return this.enqueue(records);
    const inner = (this.inner ??= this.options.open());
    return inner.write(records).catch((e: unknown) => {
      if (this.inner === inner) this.drop();
      if (this.failure) throw this.failure.error;
      if (!isUnreachable(e)) throw e;
      // Synchronously in the rejection: records failing together queue in the order written.
      return this.enqueue(records, e);
    });
  }

  async close(): Promise<void> {
    await this.recovering;
    const last = this.inner;
    this.inner = undefined;
    await last?.close().catch(() => undefined);
  }

  private enqueue(records: readonly AuditRecord[], error?: unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.backlog.push({ records, resolve, reject });
      if (!this.recovering) {
        this.recovering = this.recover(error).finally(() => (this.recovering = undefined));
      }
    });
  }

  /** Forgets the failed connection; a new one is opened for the next attempt. */
  private drop(): void {
    const old = this.inner;
    this.inner = undefined;
    void old?.close().catch(() => undefined);
  }

  /** Flushes the backlog with doubling waits until it is empty or the window is spent. */
  private async recover(first: unknown): Promise<void> {
    const { firstMs, maxMs } = this.options.backoff ?? { firstMs: 200, maxMs: 5000 };
    const retryMs = this.options.retryMs ?? defaultRetryMs;
    const notice = this.options.notice ?? (() => undefined);
    const deadline = Date.now() + retryMs;
    notice(
      `audit database unreachable (${messageOf(first)}): the run waits for it, retrying for up to ${Math.round(retryMs / 1000)} s`,
    );
    let wait = firstMs;
    let last = first;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return this.fail(new Error(`unreachable for ${Math.round(retryMs / 1000)} s: ${messageOf(last)}`));
      await sleep(Math.min(wait, left));
      const r = await this.flushBacklog();
      if (r.ok) return notice('audit database reachable again: the run goes on');
      if (!isUnreachable(r.error)) return this.fail(r.error);
      last = r.error;
      wait = Math.min(maxMs, wait * 2);
    }
  }

  /** Writes the backlog from its head, in order, telling each writer; stops at the first failure. */
  private async flushBacklog(): Promise<{ ok: true } | { ok: false; error: unknown }> {
    while (this.backlog.length) {
      const head = this.backlog[0];
      this.inner ??= this.options.open();
      try {
        await this.inner.write(head.records);
      } catch (error) {
        this.drop();
        return { ok: false, error };
      }
      this.backlog.shift();
      head.resolve();
    }
    return { ok: true };
  }

  /** Fail-stop: every queued and later write is refused with `error`. */
  private fail(error: unknown): void {
    this.failure = { error };
    for (const w of this.backlog.splice(0)) w.reject(error);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^PostgreSQL audit insert failed twice: /, '');
}
