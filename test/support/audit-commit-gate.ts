import pg from 'pg';

/**
 * Holds a runner's audit INSERTs at the table lock and lets them through one transaction (one
 * group commit) at a time, so a test can kill the runner while a chosen batch is in flight,
 * without any test hook in the product.
 *
 * `LOCK TABLE runbook_audit IN SHARE ROW EXCLUSIVE MODE` conflicts with the ROW EXCLUSIVE lock an
 * INSERT takes, and not with the ACCESS SHARE of a SELECT, so the runner's INSERT waits while the
 * test can still read what is committed. To let exactly one batch through, a second session asks
 * for the same lock while the runner's INSERT is already queued, then the first session rolls
 * back: PostgreSQL grants waiting requests in queue order, and a request that conflicts with one
 * granted or queued ahead of it keeps waiting ("Explicit Locking", and the lock manager's
 * README: no lock is granted out of queue order), so the runner's INSERT runs and commits, then
 * the second session gets the lock before the runner's next INSERT can arrive.
 * https://www.postgresql.org/docs/15/explicit-locking.html
 *
 * The product's audit connection has a 30 s query timeout (executor/audit/pg-sink.ts): a test
 * must not keep a runner blocked longer than that, or the runner sees an outage.
 */
export class AuditCommitGate {
  private holder: pg.Client | undefined;
  private readonly monitor: pg.Client;

  private constructor(
    private readonly url: string,
    monitor: pg.Client,
  ) {
    this.monitor = monitor;
  }

  /** A gate on the database of `url` (an administrator: it locks the table and reads pg_stat_activity). */
  static async open(url: string): Promise<AuditCommitGate> {
    const monitor = new pg.Client({ connectionString: url, application_name: 'test commit gate monitor' });
    await monitor.connect();
    return new AuditCommitGate(url, monitor);
  }

  /** Takes the table lock: from now on every audit INSERT waits. */
  async hold(): Promise<void> {
    if (this.holder) return;
    this.holder = await this.lockingSession().then(async ({ client, locked }) => (await locked, client));
  }

  /** Waits until a runner's audit INSERT waits for the lock; its backend pid. */
  async blocked(timeoutMs = 60_000, stop?: () => boolean): Promise<number> {
    let pid = 0;
    const deadline = Date.now() + timeoutMs;
    while (!pid) {
      if (stop?.()) throw new Error('the runner ended while the test waited for its audit INSERT to block');
      if (Date.now() > deadline) throw new Error(`no audit INSERT waited for the lock within ${timeoutMs} ms`);
      const { rows } = await this.monitor.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'runbook audit'
            AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO runbook_audit%'`,
      );
      pid = rows[0]?.pid ?? 0;
      if (!pid) await new Promise((r) => setTimeout(r, 20));
    }
    return pid;
  }

  /** Lets the waiting INSERT's transaction (one batch) commit; holds the lock again before the next one. */
  async passOne(): Promise<void> {
    if (!this.holder) throw new Error('passOne without hold');
    await this.blocked();
    const next = await this.lockingSession();
    // The second request must be queued behind the runner's INSERT before the first lock goes.
    await until(async () => {
      const { rowCount } = await this.monitor.query(
        `SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
        [next.pid],
      );
      return rowCount === 1;
    }, 'the next lock request to queue');
    await this.endHolder();
    await next.locked;
    this.holder = next.client;
  }

  /** Releases the lock (the waiting INSERT goes on) and closes the sessions. */
  async close(): Promise<void> {
    await this.endHolder();
    await this.monitor.end().catch(() => undefined);
  }

  /** Rolls back the holding transaction, if any. */
  async release(): Promise<void> {
    await this.endHolder();
  }

  private async endHolder(): Promise<void> {
    const h = this.holder;
    this.holder = undefined;
    if (!h) return;
    await h.query('ROLLBACK').catch(() => undefined);
    await h.end().catch(() => undefined);
  }

  /** A new session that has sent BEGIN and LOCK TABLE; `locked` resolves once it holds the lock. */
  private async lockingSession(): Promise<{ client: pg.Client; pid: number; locked: Promise<unknown> }> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'test commit gate' });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await client.query('BEGIN');
    const locked = client.query('LOCK TABLE runbook_audit IN SHARE ROW EXCLUSIVE MODE');
    return { client, pid: rows[0].pid, locked };
  }
}

/** Polls an asynchronous condition every 20 ms; throws naming `what` after `timeoutMs`. */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
