import { hostname } from 'node:os';
import type { IrGraph } from '../../ir/types.js';
import { join } from 'node:path';
import { acquireLock, type LockHolder } from '../lock/file-lock.js';
import { acquireKeptPgLock } from '../lock/kept-pg-lock.js';
import { refuseWhileParked } from '../lock/parked-runs.js';

/** The concurrency key of a runbook's runs: `spec.concurrency`, else one per runbook. */
export const runLockKey = (graph: Pick<IrGraph, 'concurrency' | 'name'>): string =>
  graph.concurrency ?? `runbook-${graph.name}`;

/** A run's lock; `takenOver` names a dead holder (or an unreadable file) it replaced, for the audit. */
export interface RunLock {
  readonly takenOver?: LockHolder | 'unreadable';
  release(): Promise<void>;
}

/**
 * One run per concurrency key. The lock file under `.runbook/locks` is always taken, and with an
 * audit database also the PostgreSQL advisory lock (shared by every runner that uses it): a run
 * with the database and a run without it on the same checkout still exclude each other. A
 * second run is refused with a message naming the holder, and so is a run while another run of
 * its key is parked at an approval gate (the database says which). `onLost` hears about the advisory lock
 * during a database outage: lost, re-taken, or taken by another run meanwhile.
 */
export async function acquireRunLock(o: {
  root: string;
  key: string;
  runId: string;
  initiator: string;
  auditDb?: string;
  onLost?: (message: string) => void;
}): Promise<RunLock> {
  const holder = {
    runId: o.runId,
    initiator: o.initiator,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  };
  const file = await acquireLock(o.key, { dir: join(o.root, '.runbook', 'locks'), holder });
  if (!o.auditDb) return file;
  let db: { release(): Promise<void> };
  try {
    // Re-taken after a database outage (see kept-pg-lock.ts); the lock file is held throughout.
    db = await acquireKeptPgLock(o.auditDb, o.key, { holder, notice: o.onLost });
  } catch (error) {
    await file.release();
    throw error;
  }
  try {
    // Under the advisory lock, so a parked run being resumed cannot slip between check and take.
    await refuseWhileParked(o.auditDb, o.key, o.runId);
  } catch (error) {
    await db.release().finally(() => file.release());
    throw error;
  }
  return {
    ...(file.takenOver ? { takenOver: file.takenOver } : {}),
    async release() {
      try {
        await db.release();
      } finally {
        await file.release();
      }
    },
  };
}
