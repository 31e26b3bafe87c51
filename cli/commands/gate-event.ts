import { appendFileSync, readFileSync } from 'node:fs';
import { findParkedRuns, parseGateCommand, RunRefused, type ParkedRun } from '../../executor/facade/gate-event.js';
import { ExitCode } from '../exit-codes.js';
import type { RunCliOptions } from './run.js';

export interface GateEventOptions extends RunCliOptions {
  /** The event payload (default GITHUB_EVENT_PATH). */
  readonly event?: string;
  /** Only say which runbook's parked run the comment answers (GITHUB_OUTPUT `runbook`, `run-id`); resume nothing. */
  readonly route?: boolean;
  /** Only resume a parked run of this runbook (the job that has its secrets and environment). */
  readonly runbook?: string;
}

/** What a comment event says: where, who, and the gate command in it. */
interface GateComment {
  readonly issue: number;
  readonly author: string;
  readonly step: string;
  readonly kind: 'approve' | 'reject';
}

/**
 * `runbook gate-event`: a GitHub `issue_comment` or `pull_request_review` event (the generated
 * approval workflow) resumes the run parked on that issue or pull request at the step the comment
 * or review names. The comment itself is read and
 * judged by the resumed gate, through the API, exactly as if the run had kept waiting (identity,
 * M-of-N, plan hash, no self-approval, deadline): this command only finds the run. Anything that
 * answers no parked gate exits 0 and changes nothing.
 */
export async function gateEventCommand(o: GateEventOptions): Promise<number> {
  const say = (m: string) => (process.stdout.write(`${m}\n`), ExitCode.Ok);
  const comment = commentOf(readEvent(o.event ?? process.env.GITHUB_EVENT_PATH));
  if (typeof comment === 'string') return say(`${comment}: nothing to resume`);
  const auditDb = o.auditDb ?? process.env.RUNBOOK_AUDIT_DB;
  if (!auditDb)
    return say(
      'no audit database (RUNBOOK_AUDIT_DB): gates never park without one, so nothing is parked; nothing to resume',
    );
  const parked = await findParkedRuns(auditDb, { issue: comment.issue });
  const run = parked.find((p) => p.stepId === comment.step && (!o.runbook || p.runbook === o.runbook));
  if (!run) return say(nothingParked(comment, parked, o.runbook));
  if (o.route) return route(run);
  process.stdout.write(
    `/${comment.kind} ${comment.step} by @${comment.author} on #${comment.issue}: resuming parked run ${run.runId} (${run.runbook})\n`,
  );
  const { resumeCommand } = await import('./resume.js');
  return resumeCommand(run.runId, { ...o, decide: [] });
}

function readEvent(path: string | undefined): unknown {
  if (!path) throw new RunRefused('no event payload', 'pass --event FILE (GitHub Actions sets GITHUB_EVENT_PATH)');
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RunRefused(`cannot read the event payload ${path}: ${(error as Error).message}`);
  }
}

type Author = { login?: string; type?: string };

/** The gate command of a new comment on an issue or pull request, or of a review submitted on a pull request, or why there is none. */
function commentOf(event: unknown): GateComment | string {
  const e = event as {
    action?: string;
    issue?: { number?: number };
    comment?: { body?: string; user?: Author };
    review?: { body?: string | null; user?: Author };
    pull_request?: { number?: number };
  };
  if (e?.review && e.pull_request?.number) return reviewOf(e.action, e.pull_request.number, e.review);
  if (!e?.comment || !e.issue?.number) return 'not an issue_comment or pull_request_review event';
  if (e.action !== 'created') return `comment ${e.action ?? 'event'}, not created`;
  if (e.comment.user?.type === 'Bot') return `a comment by the bot @${e.comment.user.login}`;
  const cmd = parseGateCommand(e.comment.body ?? '');
  if (!cmd) return `the comment on #${e.issue.number} is not an /approve or /reject command`;
  return { issue: e.issue.number, author: e.comment.user?.login ?? 'unknown', step: cmd.step, kind: cmd.kind };
}

/**
 * A `pull_request_review` event: its body is read as a comment's would be. The resumed gate reads
 * the review through the API and judges it (state included: an /approve requesting changes is refused).
 */
function reviewOf(
  action: string | undefined,
  pr: number,
  r: { body?: string | null; user?: Author },
): GateComment | string {
  if (action !== 'submitted') return `review ${action ?? 'event'}, not submitted`;
  if (r.user?.type === 'Bot') return `a review by the bot @${r.user.login}`;
  const cmd = parseGateCommand(r.body ?? '');
  if (!cmd) return `the review on #${pr} is not an /approve or /reject command`;
  return { issue: pr, author: r.user?.login ?? 'unknown', step: cmd.step, kind: cmd.kind };
}

function nothingParked(c: GateComment, parked: readonly ParkedRun[], runbook: string | undefined): string {
  const of = runbook ? ` of runbook ${runbook}` : '';
  if (!parked.length) return `no run${of} is parked on #${c.issue}: nothing to resume`;
  const waiting = parked.map((p) => `${p.runId} at ${p.stepId}`).join(', ');
  return `/${c.kind} ${c.step} names no parked step${of} on #${c.issue} (parked: ${waiting}): nothing to resume`;
}

/** For the routing job: which runbook's job resumes the run (its secrets, environment, concurrency group). */
function route(run: ParkedRun): number {
  const out = process.env.GITHUB_OUTPUT;
  if (out) appendFileSync(out, `runbook=${run.runbook}\nrun-id=${run.runId}\n`);
  process.stdout.write(`parked run ${run.runId} of ${run.runbook} waits at ${run.stepId}\n`);
  return ExitCode.Ok;
}
