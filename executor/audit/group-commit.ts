/**
 * Group commit: items pushed while a flush is in flight wait and are flushed together by the
 * next flush, so N concurrent writers cost about two fsyncs (or transactions), not N.
 *
 * Fail-stop: once a flush fails, every later push is refused with that failure. A durable
 * sink that lost a write can no longer promise an unbroken log, and the executor must stop
 * rather than start side effects that would go unaudited.
 */
export interface GroupCommitter<T> {
  /** Resolves when `items` (and everything pushed before them) are flushed. */
  push(items: readonly T[]): Promise<void>;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  /** Number of flushes done so far (each one fsync / one transaction). */
  readonly flushes: number;
}

interface Batch<T> {
  items: T[];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/** Wraps `flush` (which must flush its items durably, in order) with group commit. */
export function groupCommit<T>(flush: (items: T[]) => Promise<void>): GroupCommitter<T> {
  let pending: Batch<T> | undefined;
  let running: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  let flushes = 0;

  async function loop(): Promise<void> {
    // Let pushes of the same tick join the first batch: no latency cost, one fewer sync.
    await Promise.resolve();
    while (pending) {
      const batch = pending;
      pending = undefined;
      try {
        flushes++;
        await flush(batch.items);
        for (const w of batch.waiters) w.resolve();
      } catch (error) {
        failure = { error };
        for (const w of batch.waiters) w.reject(error);
        const queued = pending as Batch<T> | undefined;
        pending = undefined;
        for (const w of queued?.waiters ?? []) w.reject(error);
      }
    }
    running = undefined;
  }

  return {
    push(items) {
      if (failure) return Promise.reject(failure.error);
      return new Promise<void>((resolve, reject) => {
        pending ??= { items: [], waiters: [] };
        pending.items.push(...items);
        pending.waiters.push({ resolve, reject });
        running ??= loop();
      });
    },
    async idle() {
      while (running) await running;
    },
    get flushes() {
      return flushes;
    },
  };
}
