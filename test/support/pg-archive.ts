import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { serverOwner } from '../../executor/pg/cluster-process.js';
import { clusterTimeoutMs } from '../executor/pg/context.js';
import { runCliAsync } from './cli.js';
import { sql } from './pg-library-run.js';

/**
 * What the library's PostgreSQL end-to-end tests share: a throwaway primary that archives its WAL
 * into `<dir>/archive`, the WAL and clock helpers point-in-time recovery needs, and the plan hash
 * an approval is bound to.
 */

/** A throwaway PostgreSQL 15 primary archiving its WAL into `<dir>/archive` (made here, owned by the server). */
export async function startArchivingCluster(dir: string, settings: readonly string[] = []): Promise<PgCluster> {
  const archive = join(dir, 'archive');
  mkdirSync(archive, { mode: 0o700 });
  const owner = serverOwner();
  if (owner) chownSync(archive, owner.uid, owner.gid);
  return startPostgres({
    dir,
    timeoutMs: clusterTimeoutMs,
    settings: [
      'archive_mode = on',
      // The PostgreSQL docs' example archive_command (continuous archiving, 26.3.1): never overwrite.
      `archive_command = 'test ! -f ${archive}/%f && cp %p ${archive}/%f'`,
      'archive_timeout = 300',
      ...settings,
    ],
  });
}

/** Closes the current WAL segment and waits (condition, bounded) until the archiver copied it into `archive`. */
export async function switchAndWaitArchived(url: string, archive: string): Promise<void> {
  const [{ segment }] = await sql(url, 'select pg_walfile_name(pg_switch_wal()) as segment');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [s] = await sql(url, "select coalesce(last_archived_wal, '') >= $1 as done from pg_stat_archiver", [segment]);
    if (s.done && existsSync(join(archive, String(segment)))) return;
    if (Date.now() > deadline) throw new Error(`WAL segment ${String(segment)} not archived within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A timestamptz as text in UTC, microseconds, the form recovery_target_time and `date -d` read. */
export function utc(expr: string): string {
  return `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00')`;
}

/** No sleep: polls the server clock until it is past T, so the next commit is strictly after T. */
export async function untilServerClockPasses(url: string, t: string): Promise<void> {
  for (;;) {
    const [row] = await sql(url, 'select clock_timestamp() > $1::timestamptz as past', [t]);
    if (row.past === true) return;
  }
}

/** Milliseconds of a `utc()` text (microseconds dropped). */
export function isoMs(text: string): number {
  return Date.parse(text.replace(' ', 'T').replace('+00', 'Z'));
}

export function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

/** `--input k=v` for each input. */
export const inputArgs = (inputs: Record<string, string>): string[] =>
  Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);

/** The plan hash `runbook plan` prints for these inputs (what an approval is bound to). */
export async function planHash(root: string, name: string, inputs: Record<string, string>): Promise<string> {
  const r = await runCliAsync(['plan', name, '--root', root, ...inputArgs(inputs)]);
  const m = /^plan hash ([0-9a-f]{64})/m.exec(r.stdout);
  if (!m) throw new Error(`no plan hash in:\n${r.stdout}${r.stderr}`);
  return m[1];
}
