import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../lock/file-lock.js';
import { acquirePgLock } from '../lock/pg-lock.js';

/**
 * One run per concurrency key: a PostgreSQL advisory lock when an audit database is configured
 * (shared by every runner that uses it), a lock file under `.runbook/locks` otherwise. A second
 * run is refused with a message naming the holder.
 */
export async function acquireRunLock(o: { root: string; key: string; runId: string; initiator: string; auditDb?: string }): Promise<{ release(): Promise<void> }> {
  const holder = { runId: o.runId, initiator: o.initiator, pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  if (o.auditDb) return acquirePgLock(o.auditDb, o.key, { holder });
  return acquireLock(o.key, { dir: join(o.root, '.runbook', 'locks'), holder });
}
