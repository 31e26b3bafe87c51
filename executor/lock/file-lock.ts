import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../../ir/canonical-json.js';
import { RunRefused } from '../core/errors.js';
import { pidAlive } from '../core/pid-alive.js';

/**
 * A run's concurrency lock as a file: created with O_EXCL, so of two runs of the same key on
 * one machine exactly one wins. It only excludes runs sharing the directory; across machines
 * use acquirePgLock.
 */

/** Who holds a lock; written into the lock (file or table) so a refusal can name them. */
export interface LockHolder {
  readonly runId: string;
  readonly initiator: string;
  readonly pid: number;
  readonly host: string;
  /** ISO 8601. */
  readonly startedAt: string;
}

/**
 * A held lock. `takenOver` is the dead holder whose stale lock was replaced, or `'unreadable'` for
 * an empty or damaged lock file left by a crash: both go into the audit.
 */
export interface LockHandle {
  readonly key: string;
  readonly path: string;
  readonly holder: LockHolder;
  readonly takenOver?: LockHolder | 'unreadable';
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface FileLockOptions {
  /** Default `.runbook/locks`. */
  readonly dir?: string;
  readonly holder: LockHolder;
  /** Whether a pid lives on this host; injectable for tests. */
  readonly isAlive?: (pid: number) => boolean;
}

/** A takeover guard older than this belongs to a process that died during a takeover. */
const GUARD_STALE_MS = 10_000;

/** The lock file of a key: readable, and distinct for keys that differ only in odd characters. */
export function lockPath(dir: string, key: string): string {
  return join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}-${sha256(key).slice(0, 12)}.lock`);
}

/**
 * Takes the lock for `key` or throws RunRefused naming the holder. A lock left by a process
 * that is dead on this host is taken over (and reported in `takenOver`); a lock from another
 * host is never taken over, since its process cannot be checked from here.
 */
export async function acquireLock(key: string, options: FileLockOptions): Promise<LockHandle> {
  const dir = options.dir ?? '.runbook/locks';
  const path = lockPath(dir, key);
  const isAlive = options.isAlive ?? pidAlive;
  await mkdir(dir, { recursive: true });
  const handle = (takenOver?: LockHolder | 'unreadable'): LockHandle => ({
    key,
    path,
    holder: options.holder,
    ...(takenOver ? { takenOver } : {}),
    release: () => releaseIfOurs(path, options.holder),
  });

  if (await createExclusive(path, options.holder)) return handle();
  const current = await readHolder(path);
  if (current && current !== 'gone' && current.host === hostname() && !isAlive(current.pid)) {
    if (await takeOver(path, current, options.holder)) return handle(current);
  } else if (current === undefined && (await isOld(path))) {
    // Lock files are created whole (see createExclusive), so an unreadable one is debris from an
    // older version or a damaged disk, not a run being started: recover it, and say so.
    if (await takeOver(path, undefined, options.holder)) return handle('unreadable');
  } else if (current === 'gone' && (await createExclusive(path, options.holder))) {
    return handle();
  }
  // Name whoever holds it now: after a lost takeover race that is the winner, not the dead one.
  const latest = await readHolder(path);
  throw refusal(key, path, latest === 'gone' ? current : latest);
}

function refusal(key: string, path: string, holder: LockHolder | 'gone' | undefined): RunRefused {
  if (!holder || holder === 'gone') {
    return new RunRefused(
      `lock "${key}" is held (unreadable lock file ${path})`,
      `if no run is in progress, remove ${path}`,
    );
  }
  return new RunRefused(
    `lock "${key}" is held by run ${holder.runId} (initiated by ${holder.initiator}, pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`,
    `wait for run ${holder.runId} to finish; if it died on another host, remove ${path}`,
  );
}

/**
 * Creates `path` with the holder in it, atomically: written and synced under a private name,
 * then hard-linked into place (link fails if the name exists, like O_EXCL). A crash can leave
 * the private file, never an empty lock. False when the lock exists.
 */
async function createExclusive(path: string, holder: LockHolder): Promise<boolean> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(JSON.stringify(holder) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** An unreadable lock file older than this is debris, not a lock being written. */
async function isOld(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => Date.now() - s.mtimeMs > GUARD_STALE_MS,
    () => false,
  );
}

/**
 * The holder in a lock file; 'gone' when the file vanished. A file just created by another
 * process may still be empty, so an unreadable one is re-read briefly before giving up.
 */
async function readHolder(path: string): Promise<LockHolder | 'gone' | undefined> {
  for (let i = 0; i < 10; i++) {
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as LockHolder;
      if (parsed && typeof parsed.runId === 'string' && Number.isInteger(parsed.pid)) return parsed;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/**
 * Replaces a dead holder's lock. Two processes may both see the same stale lock; without the
 * guard, the slower one would delete the lock the faster one had just created. With it, only
 * the guard's owner deletes, and only after re-reading that the file is still the stale one.
 */
async function takeOver(path: string, stale: LockHolder | undefined, holder: LockHolder): Promise<boolean> {
  const guard = `${path}.takeover`;
  if (!(await createExclusive(guard, holder))) {
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age < GUARD_STALE_MS) return false;
    await unlink(guard).catch(() => undefined);
    if (!(await createExclusive(guard, holder))) return false;
  }
  try {
    const again = await readHolder(path);
    // Still the same stale holder, or still unreadable: otherwise someone else took it meanwhile.
    if (again !== 'gone' && (stale ? !sameHolder(again, stale) : again !== undefined)) return false;
    if (again !== 'gone') await unlink(path).catch(() => undefined);
    return await createExclusive(path, holder);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

async function releaseIfOurs(path: string, holder: LockHolder): Promise<void> {
  // After a takeover by someone else (we were thought dead) the file is theirs: leave it.
  const current = await readHolder(path);
  if (current !== 'gone' && sameHolder(current, holder)) await unlink(path).catch(() => undefined);
}

function sameHolder(a: LockHolder | undefined, b: LockHolder): boolean {
  return !!a && a.runId === b.runId && a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
}
