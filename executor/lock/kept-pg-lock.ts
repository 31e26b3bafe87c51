import { RunRefused } from '../core/errors.js';
import type { LockHolder } from './file-lock.js';
import { acquirePgLock, type PgLockHandle } from './pg-lock.js';

/**
 * A run's advisory lock, kept across a database outage. The server drops a session lock when
 * the session dies, so during an outage runners on other machines are not excluded (the lock
 * file still excludes runs on this checkout). When the database answers again the lock is taken
 * again; if another run took it meanwhile, that is said loudly and this run goes on, since it
 * cannot stop steps already running safely.
 */
export interface KeptPgLock {
  release(): Promise<void>;
}

export interface KeptPgLockOptions {
  readonly holder: LockHolder;
  /** Messages about the lock (lost, re-taken, taken by another run); no secrets. */
  readonly notice?: (message: string) => void;
  /** Backoff bounds of re-taking, ms; default 250 → 5000. */
  readonly backoff?: { readonly firstMs: number; readonly maxMs: number };
}

/** Takes the lock now (throwing RunRefused naming the holder) and keeps it until release(). */
export async function acquireKeptPgLock(url: string, key: string, o: KeptPgLockOptions): Promise<KeptPgLock> {
  const notice = o.notice ?? (() => undefined);
  const { firstMs, maxMs } = o.backoff ?? { firstMs: 250, maxMs: 5000 };
  let ended = false;
  let wake: (() => void) | undefined;
  let retaking: Promise<void> | undefined;
  let handle: PgLockHandle | undefined;

  const take = () => acquirePgLock(url, key, { holder: o.holder, onLost: lost });

  function lost(): void {
    if (ended || retaking) return;
    notice(
      `the database advisory lock "${key}" was lost with its session (database unreachable); this checkout's lock file is still held; runs on other machines are not excluded until the lock is taken again`,
    );
    retaking = retake().finally(() => (retaking = undefined));
  }

  async function retake(): Promise<void> {
    for (let wait = firstMs; !ended; wait = Math.min(maxMs, wait * 2)) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        wake = () => (clearTimeout(t), resolve());
      });
      wake = undefined;
      if (ended) return;
      try {
        const h = await take();
        if (ended) return void (await h.release());
        // The lost handle's dead connection is closed; the server already freed its lock.
        const dead = handle;
        handle = h;
        void dead?.release();
        notice(`the database advisory lock "${key}" was taken again`);
        return;
      } catch (e) {
        if (e instanceof RunRefused) {
          notice(
            `the database advisory lock could not be taken again: ${e.message}; this run goes on (its steps cannot be stopped safely), and only the lock file excludes runs on this checkout`,
          );
          return;
        }
      }
    }
  }

  handle = await take();
  return {
    async release() {
      ended = true;
      wake?.();
      await retaking;
      await handle?.release();
    },
  };
}
