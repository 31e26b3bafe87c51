import type { Clock } from '../../executor/core/clock.js';

interface Timer {
  at: number;
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  done: boolean;
}

/**
 * A clock whose time moves only when the test says so. `run(promise)` drives a whole async run:
 * it lets pending work settle, then jumps to the next timer, until the promise settles. While no
 * timer is pending the run is waiting on real I/O (a request to a loopback server): time stays
 * put and `run` waits for it, however long a loaded machine takes.
 */
export class FakeClock implements Clock {
  private time = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = { at: this.time + Math.max(0, ms), resolve, reject, signal, done: false };
      signal?.addEventListener(
        'abort',
        () => {
          if (timer.done) return;
          timer.done = true;
          reject(signal.reason);
        },
        { once: true },
      );
      this.timers.push(timer);
    });
  }

  /** Moves time forward to `at`, firing due timers in order. */
  private fireNext(): boolean {
    const pending = this.timers.filter((t) => !t.done).sort((a, b) => a.at - b.at);
    this.timers = pending;
    const next = pending[0];
    if (!next) return false;
    this.time = Math.max(this.time, next.at);
    for (const t of pending.filter((t) => t.at <= this.time)) {
      t.done = true;
      t.resolve();
    }
    return true;
  }

  /** `maxTimers` bounds a run that would loop on its clock forever; waiting on I/O is not counted. */
  async run<T>(promise: Promise<T>, maxTimers = 100_000): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => (settled = true));
    for (let fired = 0; fired < maxTimers && !settled; ) {
      await flush();
      if (settled) break;
      if (this.fireNext()) fired++;
      else await new Promise<void>((r) => setTimeout(r, 1));
    }
    return tracked;
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
