import { execFileSync } from 'node:child_process';
import { actions } from '../../executor/actions/index.js';
import { sideEffectFreeActions } from '../../executor/actions/catalog-meta.js';
import { ApprovalsFileError, readApprovalsFile, type ApprovalsFile } from '../../executor/approvals/approvals-file.js';
import { readAuditFile } from '../../executor/audit/file-sink.js';
import { summarizeAudit } from '../../executor/audit/summary.js';
import { renderAuditSummary } from '../../executor/audit/summary-render.js';
import { renderSummaryMarkdown } from '../../executor/audit/summary-markdown.js';
import { headOf, renderAnchorMarkdown } from '../../executor/audit/anchor-marker.js';
import { appendFileSync } from 'node:fs';
import { loadGraph } from '../../executor/run/load-graph.js';
import type { RunStatus } from '../../executor/core/events.js';
import { parseInputArgs } from '../../executor/inputs/resolve-inputs.js';
import { plainProgress } from '../../executor/progress/plain.js';
import { ttyProgress } from '../../executor/progress/tty.js';
import { runRunbook, type RunOptions, type RunOutcome } from '../../executor/run/run-runbook.js';
import type { AuditRecord } from '../../executor/audit/record.js';
import type { ResumeState } from '../../executor/run/resume-state.js';
import { ExitCode } from '../exit-codes.js';
import { githubRunOptions } from '../github-mode.js';
import { newRunId } from '../../executor/run/run-id.js';
import { initiatorOf } from '../initiator.js';
import { refuseStaleGraphs } from '../check-generated.js';
import { shortSecretNames, shortSecretWarning } from '../../executor/core/short-secrets.js';
import { reachableGraphs } from '../../executor/run/subgraph.js';
import { localLockLine, localLockRefusal, localLockVerdict } from '../local-lock.js';

export interface RunCliOptions {
  root: string;
  input: string[];
  dryRun?: boolean;
  drill?: boolean;
  as?: string;
  approvals?: string;
  confirmAs?: string;
  auditDb?: string;
  allowOwnerRole?: boolean;
  concurrency?: string;
  json?: boolean;
  commit?: string;
  inputsFromEnv?: boolean;
  drillNotifyCustomers?: boolean;
  /** Under CI without an audit database, run anyway on a lock file that only this runner sees. */
  allowLocalLock?: boolean;
}

/**
 * Inputs from `RUNBOOK_INPUT_<NAME>` variables: generated workflows pass workflow_dispatch inputs
 * only through `env:` (never `${{ }}` in a script). An empty value is an unset optional input.
 */
export function inputsFromEnv(root: string, name: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const input of Object.keys(loadGraph(root, name).inputs)) {
    const v = env[`RUNBOOK_INPUT_${input.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
    if (v !== undefined && v !== '') out[input] = v;
  }
  return out;
}

const envFlag = (v: string | undefined) => v !== undefined && ['true', '1', 'yes'].includes(v.trim().toLowerCase());

const exitFor: Record<RunStatus, number> = {
  succeeded: ExitCode.Ok,
  failed: ExitCode.RunFailed,
  'rolled-back': ExitCode.RolledBack,
  'rollback-incomplete': ExitCode.RollbackIncomplete,
  interrupted: ExitCode.Interrupted,
  refused: ExitCode.Refused,
};

/** What `drill` and `run-request` add to a run. */
export interface RunExtras extends Pick<RunOptions, 'beforeSteps' | 'faults'> {
  issueNumber?: number;
  inputs?: Record<string, unknown>;
  /** After the run: e.g. a drill writes its record and report. */
  onOutcome?: (outcome: RunOutcome, records: AuditRecord[]) => void | Promise<void>;
}

/**
 * `runbook run NAME`: executes the compiled graph with audit, lock, approvals and progress.
 * Prints `run id: <id>` on stdout once the run is journaled (also when it is then refused, as a
 * run request can be), so scripts and tests name the run they started rather than guessing it
 * from `.runbook/runs/`; with a live terminal display, after the display ends. `--json` streams
 * records that carry the id instead.
 */
export async function runCommand(
  name: string,
  o: RunCliOptions,
  resume?: ResumeState,
  extra?: RunExtras,
): Promise<number> {
  const approvalsPath = o.approvals ?? process.env.RUNBOOK_APPROVALS;
  const { file, error: approvalsError } = approvalsPath
    ? readApprovals(approvalsPath)
    : { file: { approvals: [] } as ApprovalsFile, error: undefined };
  const interactive = process.stdin.isTTY === true && !process.env.CI;
  const tty = process.stderr.isTTY === true && !o.json ? ttyProgress(process.stderr, { interactive }) : undefined;
  const progress = tty ?? plainProgress((line) => process.stderr.write(line + '\n'));
  const runId = resume?.runId ?? newRunId(name);
  let journaled = false;
  const announce = () => {
    if (!o.json) process.stdout.write(`run id: ${runId}\n`);
  };
  const started = () => {
    if (journaled) return;
    journaled = true;
    if (!tty) announce();
  };
  const ctrl = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(ExitCode.Interrupted);
    const notice = `${sig}: stopping — running steps are aborted and journaled (again to force)`;
    if (tty) tty.note(notice);
    else process.stderr.write(`\n${notice}\n`);
    ctrl.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const dryRun = o.dryRun === true || envFlag(process.env.RUNBOOK_DRY_RUN);
  const auditDb = o.auditDb ?? process.env.RUNBOOK_AUDIT_DB;
  const lockVerdict = localLockVerdict({
    ...(auditDb ? { auditDb } : {}),
    dryRun,
    allowLocalLock: o.allowLocalLock,
    env: process.env,
  });
  const lockLine = resume ? undefined : localLockLine(lockVerdict);
  if (lockLine) process.stderr.write(`warning: ${lockLine}\n`);
  try {
    const options: RunOptions = {
      root: o.root,
      name,
      inputs: {
        ...(o.inputsFromEnv ? inputsFromEnv(o.root, name, process.env) : {}),
        ...parseInputArgs(o.input),
        ...(extra?.inputs ?? {}),
      },
      dryRun,
      drill: o.drill === true || envFlag(process.env.RUNBOOK_DRILL),
      drillNotifiesCustomers: o.drillNotifyCustomers === true,
      initiator: initiatorOf(o.as, process.env),
      approvals: file.approvals,
      ...(approvalsError ? { approvalsError } : {}),
      confirmBy: o.confirmAs ?? ('confirmBy' in file ? file.confirmBy : undefined),
      interactive, // Only the tool's own setting: a generic DATABASE_URL (the application's) must never move the
      // journal and the lock elsewhere, or a run with it and a run without it would not exclude each other.
      auditDb,
      ownerRole:
        o.allowOwnerRole || envFlag(process.env.RUNBOOK_ALLOW_OWNER_ROLE)
          ? 'allow'
          : envFlag(process.env.CI)
            ? 'refuse'
            : 'warn',
      onNotice: (m) => (tty ? tty.note(`warning: ${m}`) : process.stderr.write(`warning: ${m}\n`)),
      concurrency: o.concurrency ? Number(o.concurrency) : undefined,
      signal: ctrl.signal,
      env: process.env,
      commit: o.commit ?? process.env.GITHUB_SHA ?? gitHead(o.root),
      actions,
      sideEffectFree: sideEffectFreeActions(),
      onRecord: o.json ? (r) => process.stdout.write(JSON.stringify(r) + '\n') : progress.onRecord,
      logger: progress.logger,
      // A new run is journaled when beforeSteps is called (run:start is durable by then); a
      // resumed one already was.
      beforeSteps: async (ctx) => {
        started();
        // After run:start, so the refusal is journaled (run:end refused) like any other.
        if (lockVerdict === 'refused') {
          if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `> **${lockLine}**\n\n`);
          throw localLockRefusal();
        }
        await extra?.beforeSteps?.(ctx);
      },
      runId,
      ...(resume ? { resume } : {}),
    };
    if (resume) started();
    // A resumed run continues its journaled graph; a new one must run what the sources say.
    else refuseStaleGraphs(o.root, name);
    const github = resume
      ? {}
      : await githubRunOptions({
          env: process.env,
          graph: loadGraph(o.root, name),
          runId,
          initiator: options.initiator,
          dryRun: options.dryRun,
          issueNumber: extra?.issueNumber,
        });
    warnShortSecrets(o.root, name, tty);
    const outcome = await runRunbook({ ...options, ...github, ...(extra?.faults ? { faults: extra.faults } : {}) });
    const { records } = await readAuditFile(outcome.auditPath);
    await extra?.onOutcome?.(outcome, records);
    const last = records.at(-1);
    const head = last ? headOf(last) : undefined;
    // In GitHub Actions the run also reports itself in the job summary, with its chain head: the
    // runner uploads the step's summary file when the step ends and later steps cannot change it
    // (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary).
    if (process.env.GITHUB_STEP_SUMMARY) {
      appendFileSync(
        process.env.GITHUB_STEP_SUMMARY,
        renderSummaryMarkdown(summarizeAudit(records)) +
          '\n' +
          (lockLine ? `> **${lockLine}**\n\n` : '') +
          (head ? renderAnchorMarkdown(outcome.runId, head) + '\n' : ''),
      );
    }
    if (!o.json) {
      process.stdout.write(
        '\n' + renderAuditSummary(summarizeAudit(records), { color: process.stdout.isTTY === true }) + '\n',
      );
      if (lockLine) process.stdout.write(`${lockLine}\n`);
      process.stdout.write(`audit log: ${outcome.auditPath}\n`);
      if (head) process.stdout.write(`audit head: ${head.seq}:${head.hash}\n`);
      if (outcome.status === 'interrupted' || outcome.status === 'failed')
        process.stdout.write(`resume with: runbook resume ${outcome.runId}\n`);
    }
    return exitFor[outcome.status];
  } finally {
    tty?.done();
    if (tty && journaled) announce();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * The approvals file, or why it cannot be used: the run then starts only to record the refusal in
 * its audit log (run:start, approval:refused, run:end refused), so no refusal goes unaudited.
 */
function readApprovals(path: string): { file: ApprovalsFile; error?: ApprovalsFileError } {
  try {
    return { file: readApprovalsFile(path) };
  } catch (e) {
    if (e instanceof ApprovalsFileError) return { file: { approvals: [] }, error: e };
    throw e;
  }
}

function gitHead(root: string): string | undefined {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/**
 * Preflight: a secret whose value is shorter than 4 characters cannot be masked, so say so, by
 * name, before any step runs. A graph that cannot be loaded is left for the run to refuse.
 */
function warnShortSecrets(root: string, name: string, tty: { note(line: string): void } | undefined): void {
  let graphs;
  try {
    graphs = reachableGraphs(root, loadGraph(root, name));
  } catch {
    return;
  }
  for (const secret of shortSecretNames(graphs.values(), process.env)) {
    const line = shortSecretWarning(secret);
    if (tty) tty.note(line);
    else process.stderr.write(line + '\n');
  }
}
