import { RunRefused } from '../executor/facade/errors.js';

/**
 * A run's lock is a file under `.runbook/locks` unless an audit database is configured
 * (`--audit-db` / `RUNBOOK_AUDIT_DB`), which adds a PostgreSQL advisory lock every runner shares
 * (executor/run/run-lock.ts). On a CI runner the checkout is thrown away after the job, so a file
 * lock excludes nothing: two merged run requests, or a run request and a dispatch, on two runners
 * could fail over at the same time. The generated workflows put run-request, drill and dispatch
 * jobs of one runbook in one concurrency group, but GitHub may replace a pending job in a group
 * and a run started elsewhere is not in it. So under CI a live run without an audit database is
 * refused (exit 6) unless `--allow-local-lock` (or RUNBOOK_ALLOW_LOCAL_LOCK=true) says that is
 * accepted. Dry runs change nothing and are not refused. The durable-execution issue (13) brings
 * a lock that holds across runners without a database of the team's own.
 */

const flag = (v: string | undefined) => v !== undefined && ['true', '1', 'yes'].includes(v.trim().toLowerCase());

/** GitHub Actions sets both; other CI systems set CI. */
export const inCi = (env: NodeJS.ProcessEnv) => flag(env.CI) || flag(env.GITHUB_ACTIONS);

export type LocalLockVerdict = 'shared' | 'local' | 'allowed' | 'refused';

/** Whether this run's lock holds across runners, and what CI makes of it when it does not. */
export function localLockVerdict(o: {
  auditDb?: string;
  dryRun: boolean;
  allowLocalLock?: boolean;
  env: NodeJS.ProcessEnv;
}): LocalLockVerdict {
  if (o.auditDb) return 'shared';
  if (o.dryRun || !inCi(o.env)) return 'local';
  // `allow-local-lock`: the value the generated workflows' secret takes (job-concurrency.ts).
  const allowed =
    o.allowLocalLock ||
    flag(o.env.RUNBOOK_ALLOW_LOCAL_LOCK) ||
    o.env.RUNBOOK_ALLOW_LOCAL_LOCK?.trim() === 'allow-local-lock';
  return allowed ? 'allowed' : 'refused';
}

/** One line for the plan, the run's output and the job summary; undefined when nothing needs saying. */
export function localLockLine(verdict: LocalLockVerdict): string | undefined {
  if (verdict === 'refused') {
    return 'lock: a file on this runner only (no --audit-db / RUNBOOK_AUDIT_DB): it does not keep a run on another runner out; under CI the run refuses unless --allow-local-lock (RUNBOOK_ALLOW_LOCAL_LOCK=true)';
  }
  if (verdict === 'allowed') {
    return "lock: a file on this runner only (--allow-local-lock): runs on other runners are kept out only by the workflow's concurrency group";
  }
  return undefined;
}

/** The refusal of a live CI run that would rely on a file lock. */
export function localLockRefusal(): RunRefused {
  return new RunRefused(
    'this run would be serialised only by a lock file on this runner, which other runners cannot see (no audit database configured)',
    "set RUNBOOK_AUDIT_DB (or --audit-db) to lock in PostgreSQL across runners, or pass --allow-local-lock (RUNBOOK_ALLOW_LOCAL_LOCK=true) to rely on the workflow's concurrency group alone; issue 13 (durable execution) brings a lock that holds across runners",
  );
}
