import type { AuditRecord, AuditSink } from '../audit/record.js';
import type { GithubApi, RepoRef } from './client.js';

/**
 * One tracking issue per BackupPlan, reused by every scheduled run. A nightly plan that opened an
 * issue per run would leave hundreds of them open; instead the plan's issue is found again by its
 * label and a marker in its body, each run reports in its own sticky comment there
 * (tracking-issue.ts with `issueNumber`), and the run's end sets the issue's state: closed as
 * completed when the run succeeded (green), reopened when it did not (red), so the open issues
 * are the plans that need someone.
 *
 * GitHub: `GET /repos/{owner}/{repo}/issues` filters by `labels` and `state=all` and also lists
 * pull requests (they carry `pull_request`, skipped here); `PATCH /repos/{owner}/{repo}/issues/
 * {issue_number}` takes `state` (`open`/`closed`) and `state_reason` (`completed`, `reopened`).
 * Labels given when creating an issue are created if missing, but are silently dropped for a token
 * without push access; the job's token has `issues: write`, enough for both.
 */

/** The label every BackupPlan issue carries, to find them without reading every issue. */
export const planIssueLabel = 'runbook-backup-plan';

/** The body marker naming the plan, so renaming the title never orphans the issue. */
export const planIssueMarker = (plan: string) => `<!-- runbook-plan-issue plan=${plan} -->`;

/** The plan's issue number: the oldest issue with the label and marker, else a new one. */
export async function planIssueNumber(o: {
  octokit: GithubApi;
  repo: RepoRef;
  plan: string;
  title: string;
}): Promise<number> {
  const { owner, repo } = o.repo;
  const marker = planIssueMarker(o.plan);
  const issues = (await o.octokit.paginate(o.octokit.issues.listForRepo, {
    owner,
    repo,
    labels: planIssueLabel,
    state: 'all',
    per_page: 100,
  })) as { number: number; body?: string | null; pull_request?: unknown }[];
  const found = issues
    .filter((i) => !i.pull_request && (i.body ?? '').includes(marker))
    .sort((a, b) => a.number - b.number)[0];
  if (found) return found.number;
  const body = `${marker}\nRuns of the backup plan \`${o.plan}\` report here, one comment per run. Closed when the last run succeeded, reopened when one did not.`;
  const { data } = await o.octokit.issues.create({ owner, repo, title: o.title, body, labels: [planIssueLabel] });
  return data.number;
}

/**
 * An audit sink that, at `run:end`, closes the plan's issue on success and reopens it otherwise.
 * Like the tracking issue it never stalls or fails the run: the update runs in the background,
 * `close()` waits for it, and a failure is only logged.
 */
export function planIssueStateSink(o: {
  octokit: GithubApi;
  repo: RepoRef;
  issueNumber: number;
  log?: (m: string) => void;
}): AuditSink {
  const { owner, repo } = o.repo;
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  let pending: Promise<void> = Promise.resolve();
  const settle = (record: AuditRecord) => {
    const green = (record.data as { status?: string }).status === 'succeeded';
    const state = green
      ? { state: 'closed' as const, state_reason: 'completed' as const }
      : { state: 'open' as const, state_reason: 'reopened' as const };
    pending = o.octokit.issues.update({ owner, repo, issue_number: o.issueNumber, ...state }).then(
      () => undefined,
      (e: Error) =>
        void log(`backup plan issue #${o.issueNumber}: could not set its state to ${state.state}: ${e.message}`),
    );
  };
  return {
    name: 'github-plan-issue',
    async write(records) {
      for (const r of records) if (r.type === 'run:end' && !r.stepId) settle(r);
    },
    close: () => pending,
  };
}
