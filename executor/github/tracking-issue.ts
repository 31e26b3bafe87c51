import type { AuditRecord, AuditSink } from '../audit/record.js';
import { systemClock, type Clock } from '../core/clock.js';
import { botLogin, type GithubApi, type RepoRef } from './client.js';
import { foldRecord, newRunStatus, renderRunStatus } from './run-status-table.js';
import { upsertStickyComment } from './sticky-comment.js';

/** The run a tracking issue reports on, and how often it may write. */
export interface TrackingIssueOptions {
  readonly octokit: GithubApi;
  readonly repo: RepoRef;
  readonly runId: string;
  /** Title of the issue opened for the run, e.g. `Failover ecommerce-db — run 2024-…`. */
  readonly title: string;
  /**
   * An existing issue or pull request (the run request's PR) to use instead of opening one. Its
   * body belongs to people, so the table then lives in a sticky comment, not in the body.
   */
  readonly issueNumber?: number;
  readonly labels?: readonly string[];
  /** The configured bot (`botLogin(env)`), whose sticky comment is adopted on a given issue (default `github-actions[bot]`). */
  readonly bot?: string;
  readonly runUrl?: string;
  /**
   * At most one update per this interval while the run goes on (default 10 s: at most 360 writes
   * an hour, within GITHUB_TOKEN's 1,000); run:end is immediate. A table that renders as already
   * written is not written again, and after a failed write the interval doubles (up to 8×).
   */
  readonly minIntervalMs?: number;
  readonly clock?: Clock;
  /** Where failed updates are reported (default: stderr). */
  readonly log?: (message: string) => void;
}

/** The run's tracking issue: an audit sink that keeps the status table current, and a place to comment. */
export interface TrackingIssue extends AuditSink {
  readonly issueNumber: number;
  readonly url: string;
  /** Writes the latest table now and waits for it (tests, run end). Never rejects. */
  flush(): Promise<void>;
  /** Posts a comment on the issue (the notify `github` channel). Rejects on failure. */
  commentOnIssue(body: string): Promise<{ id: number; url: string }>;
}

/**
 * Opens the tracking issue of a run (or adopts the given issue/PR) and returns an AuditSink that
 * folds every record into a table of steps (status, start, duration, attempts) and writes it to
 * GitHub in the background, debounced. GitHub is a window on the run, never part of its
 * journal: `write` resolves at once, so a slow or failing API cannot stall or fail `emit`;
 * failed updates are logged and retried with the next change. `close()` (called by the audit
 * log at run end) flushes the final table.
 */
export async function openTrackingIssue(o: TrackingIssueOptions): Promise<TrackingIssue> {
  const { owner, repo } = o.repo;
  const marker = `<!-- runbook-run-status run=${o.runId} -->`;
  const state = newRunStatus();
  state.runId = o.runId;
  state.title = o.title;
  const render = () => renderRunStatus(state, { marker, ...(o.runUrl ? { runUrl: o.runUrl } : {}) });
  const first = render();
  const target = await openTarget(o, marker, first);
  const writer = debouncedWriter(o, target, render, first);
  return {
    name: 'github-tracking-issue',
    issueNumber: target.number,
    url: target.url,
    write(records: readonly AuditRecord[]) {
      for (const r of records) foldRecord(state, r);
      writer.changed(records.some((r) => r.type === 'run:end'));
      return Promise.resolve();
    },
    flush: () => writer.flush(),
    close: () => writer.flush(),
    async commentOnIssue(body: string) {
      const { data } = await o.octokit.issues.createComment({ owner, repo, issue_number: target.number, body });
      return { id: data.id, url: data.html_url };
    },
  };
}

/** Where the table lives: a new issue's body, or our sticky comment on the given issue or PR. */
interface Target {
  readonly number: number;
  readonly url: string;
  publish(body: string): Promise<unknown>;
}

async function openTarget(o: TrackingIssueOptions, marker: string, first: string): Promise<Target> {
  const { owner, repo } = o.repo;
  if (o.issueNumber === undefined) {
    const { data } = await o.octokit.issues.create({
      owner,
      repo,
      title: o.title,
      body: first,
      labels: [...(o.labels ?? [])],
    });
    return {
      number: data.number,
      url: data.html_url,
      publish: (body) => o.octokit.issues.update({ owner, repo, issue_number: data.number, body }),
    };
  }
  const sticky = await upsertStickyComment({
    octokit: o.octokit,
    repo: o.repo,
    issueNumber: o.issueNumber,
    marker,
    body: first,
    author: o.bot ?? botLogin({}),
  });
  return {
    number: o.issueNumber,
    url: sticky.url,
    // The comment is ours and known: edit it directly instead of re-listing the thread each time.
    publish: (body) => o.octokit.issues.updateComment({ owner, repo, comment_id: sticky.id, body }),
  };
}

/** Where failed updates go by default. */
const logToStderr = (message: string) => process.stderr.write(`${message}\n`);

/** Writes the table in the background: debounced while the run goes on, at once after run:end. */
interface Writer {
  /** The table changed; `final` when the batch held run:end (from then on every change is written at once). */
  changed(final: boolean): void;
  /** Writes the latest table now (if it changed) and waits for it. Never rejects. */
  flush(): Promise<void>;
}

function debouncedWriter(o: TrackingIssueOptions, target: Target, render: () => string, first: string): Writer {
  const clock = o.clock ?? systemClock;
  const minInterval = o.minIntervalMs ?? 10_000;
  let written = first;
  let failures = 0;
  let dirty = false;
  let ended = false;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let timer: AbortController | undefined;
  let chain: Promise<void> = Promise.resolve();

  const cancelTimer = () => {
    timer?.abort();
    timer = undefined;
  };
  // Updates run one after another, so an older table never overwrites a newer one.
  const push = (): Promise<void> => {
    chain = chain.then(async () => {
      if (!dirty) return;
      dirty = false;
      const body = render();
      // The table is written, never polled, so it cannot use conditional reads: it saves its budget by not writing what is already there.
      if (body === written) return;
      lastWrite = clock.now();
      if (await tryPublish(target, body, o.log ?? logToStderr)) {
        [written, failures] = [body, 0];
      } else {
        failures++;
        dirty = true;
        if (!ended) schedule();
      }
    });
    return chain;
  };
  const schedule = () => {
    if (ended) {
      cancelTimer();
      void push();
      return;
    }
    if (timer) return;
    const ctrl = new AbortController();
    timer = ctrl;
    const delay = Math.max(0, lastWrite + minInterval * 2 ** Math.min(3, failures) - clock.now());
    after(clock, delay, ctrl.signal, () => {
      if (timer === ctrl) timer = undefined;
      void push();
    });
  };
  return {
    changed(final) {
      ended ||= final;
      dirty = true;
      schedule();
    },
    flush() {
      cancelTimer();
      return push();
    },
  };
}

/** One write of the table; false (and logged) when it failed: the run goes on regardless. */
async function tryPublish(target: Target, body: string, log: (message: string) => void): Promise<boolean> {
  try {
    await target.publish(body);
    return true;
  } catch (error) {
    log(`tracking issue #${target.number}: update failed (the run goes on): ${(error as Error).message}`);
    return false;
  }
}

/** Calls `then` after `ms` on `clock`, unless `signal` aborts the wait first. */
function after(clock: Clock, ms: number, signal: AbortSignal, then: () => void): void {
  clock.sleep(ms, signal).then(then, () => {});
}
