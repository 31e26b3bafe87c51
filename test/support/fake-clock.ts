import type { Clock } from '../../executor/core/clock.js';

interface Timer { at: number; resolve: () => void; reject: (e: unknown) => void; signal?: AbortSignal; done: boolean }

/**
 * A clock whose time moves only when the test says so. `run(promise)` drives a whole async run:
 * it lets pending work settle, then jumps to the next timer, until the promise settles.
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
      signal?.addEventListener('abort', () => {
        if (timer.done) return;
        timer.done = true;
        reject(signal.reason);
      }, { once: true });
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

  async run<T>(promise: Promise<T>, maxSteps = 100_000): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => (settled = true));
    for (let i = 0; i < maxSteps && !settled; i++) {
      await flush();
      if (settled) break;
      if (!this.fireNext()) await flush();
    }
    return tracked;
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
