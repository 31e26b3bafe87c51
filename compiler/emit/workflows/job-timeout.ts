import type { IrGraph } from '../../../ir/types.js';

/**
 * `timeout-minutes` for the generated jobs. Without it a job lives until GitHub's own limit: "Each
 * job in a workflow can run for up to 6 hours of execution time. If a job reaches this limit, the
 * job is terminated" (GitHub Docs, "Actions limits"; `jobs.<job_id>.timeout-minutes` defaults to
 * 360). A stuck gate or step would then hold the runner, and the concurrency group, for six hours.
 *
 * The job's limit is the runbook's worst case (compiler/graph/rto.ts: every step at its timeout,
 * every retry, every gate waiting out its own timeout), plus the job's setup (checkout, install,
 * `compile --check`) and a quarter more as margin, rounded up to 5 minutes and capped at 360.
 * The run reads the same number (`RUNBOOK_JOB_TIMEOUT_MINUTES`) so that its gates stop waiting
 * before GitHub kills the job (executor/run/job-deadline.ts).
 */

/** GitHub-hosted runners end a job after 360 minutes, whatever `timeout-minutes` says. */
export const githubJobLimitMinutes = 360;

/** Checkout, `npm ci`, `compile --check` and the audit upload, on a slow day. */
export const setupAllowanceMinutes = 10;

/** The variable the run reads its job's limit from. */
export const jobTimeoutEnv = 'RUNBOOK_JOB_TIMEOUT_MINUTES';

/** Minutes a job that runs something of worst case `worstCaseMs` may live. */
export function jobTimeoutMinutes(worstCaseMs: number): number {
  const minutes = (Math.max(0, worstCaseMs) / 60_000) * 1.25 + setupAllowanceMinutes;
  return Math.min(githubJobLimitMinutes, Math.max(15, Math.ceil(minutes / 5) * 5));
}

/** The job's limit for one runbook (or backup plan) graph. */
export function graphTimeoutMinutes(graph: { readonly rto: Pick<IrGraph['rto'], 'worstCaseMs'> }): number {
  return jobTimeoutMinutes(graph.rto.worstCaseMs);
}

/**
 * `job` with `timeout-minutes`, the matching job-level variable and `extra` (a job-level
 * `concurrency`) placed right after `runs-on`, where a reader of the workflow looks for them.
 */
export function withJobLimits(
  job: Record<string, unknown>,
  minutes: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const env = { ...((job.env as Record<string, unknown> | undefined) ?? {}), [jobTimeoutEnv]: String(minutes) };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(job)) {
    if (key === 'env') continue;
    out[key] = value;
    if (key === 'runs-on') Object.assign(out, { 'timeout-minutes': minutes, ...extra, env });
  }
  return out;
}
