import type { ApprovalGate } from '../actions/action.js';
import { systemClock, type Clock } from '../core/clock.js';

/**
 * A gate never waits longer than its job can live. GitHub ends a job at its `timeout-minutes`
 * (at most 360 on GitHub-hosted runners) without warning the process, so a gate still polling
 * then leaves no refusal in the journal, no reply on the tracking issue, and an audit upload that
 * may not run. The run learns its job's end from the environment and makes every GitHub gate
 * close a margin before it: the gate's timeout is shortened to the time left (its request says
 * why), so it times out as usual (journaled as approval:refused, replied on the issue), and the
 * step's refusal names the job's limit.
 *
 * - RUNBOOK_JOB_DEADLINE: the job's end as an ISO 8601 time, when the caller knows it exactly.
 * - RUNBOOK_JOB_TIMEOUT_MINUTES: the job's `timeout-minutes` (the generated workflows set it). The
 *   job started before this process (checkout, install), by at most the setup allowance the
 *   compiler added to the limit (compiler/emit/workflows/job-timeout.ts), so the end is counted
 *   from this process's start minus that allowance: never later than the real end.
 */

/** Setup before the run's process starts, as the compiler allows for it (job-timeout.ts). */
export const setupAllowanceMs = 10 * 60_000;

/** Gates stop this long before the job's end: time to refuse, journal, roll back and upload. */
export const deadlineMarginMs = 3 * 60_000;

/** When the job ends (epoch ms), or undefined outside a job with a known limit. */
export function jobDeadlineOf(env: NodeJS.ProcessEnv, startedAt: number): number | undefined {
  const exact = env.RUNBOOK_JOB_DEADLINE?.trim();
  if (exact) {
    const at = Date.parse(exact);
    if (Number.isFinite(at)) return at;
  }
  const minutes = Number(env.RUNBOOK_JOB_TIMEOUT_MINUTES ?? '');
  if (!Number.isFinite(minutes) || minutes <= 0) return undefined;
  return startedAt + minutes * 60_000 - setupAllowanceMs;
}

/**
 * `inner`, closing `deadlineMarginMs` before `deadline` at the latest: a gate whose own timeout
 * (or none) would outlive the job gets the time left as its timeout, the request it posts says
 * why, and its time-out refusal names the job's limit. The gate's own clock and polling do the
 * waiting, so a refusal is journaled and replied to exactly as for its own timeout.
 */
export function gateWithinDeadline(inner: ApprovalGate, deadline: number, clock: Clock = systemClock): ApprovalGate {
  return {
    async request(req) {
      const stopAt = deadline - deadlineMarginMs;
      const why = `the job's time limit: GitHub ends this job at ${new Date(deadline).toISOString()} (timeout-minutes), so the gate closes at ${new Date(stopAt).toISOString()}`;
      const left = stopAt - clock.now();
      if (left <= 0) return { approved: false, reason: `not requested: ${why}` };
      if (req.timeoutMs !== undefined && req.timeoutMs <= left) return inner.request(req);
      const answer = await inner.request({
        ...req,
        timeoutMs: left,
        message: `${req.message}\n\n_This gate closes early: ${why}._`,
      });
      if (!answer.approved && answer.reason.startsWith('timed out'))
        return { approved: false, reason: `${answer.reason}: ${why}` };
      return answer;
    },
  };
}
