import { execFileSync } from 'node:child_process';
import {
  inputsFromEnv,
  parseInputArgs,
  type readApprovals,
  type LiveRunRequest,
  type ResumeState,
} from '../../executor/facade/index.js';
import type { RunCliOptions, RunExtras } from './options.js';
import { initiatorOf } from '../initiator.js';
import type { RunTerminal } from './terminal.js';

export const envFlag = (v: string | undefined) =>
  v !== undefined && ['true', '1', 'yes'].includes(v.trim().toLowerCase());

/** The settings of a run from its command line and environment, before any step is journaled. */
export interface RunSettings {
  readonly name: string;
  readonly runId: string;
  readonly dryRun: boolean;
  readonly auditDb?: string;
  readonly interactive: boolean;
  readonly resume?: ResumeState;
  /** Read before anything else: a bad file is refused by the run, in its journal. */
  readonly approvals: ReturnType<typeof readApprovals>;
  readonly extra?: RunExtras;
  /** Runs after run:start is durable: may refuse the run (local lock under CI, run requests). */
  readonly beforeSteps: NonNullable<LiveRunRequest['beforeSteps']>;
}

/** What the executor is asked to run: options, environment, approvals, progress and signal wired in. */
export function liveRunRequest(o: RunCliOptions, s: RunSettings, terminal: RunTerminal): LiveRunRequest {
  const { approvals } = s;
  const { file } = approvals;
  return {
    root: o.root,
    name: s.name,
    inputs: {
      ...(o.inputsFromEnv ? inputsFromEnv(o.root, s.name, process.env) : {}),
      ...parseInputArgs(o.input),
      ...(s.extra?.inputs ?? {}),
    },
    dryRun: s.dryRun,
    drill: o.drill === true || envFlag(process.env.RUNBOOK_DRILL),
    drillNotifiesCustomers: o.drillNotifyCustomers === true,
    ...(o.environment ? { environment: { name: o.environment, source: 'cli' as const } } : {}),
    initiator: initiatorOf(o.as, process.env),
    approvals: file.approvals,
    ...(approvals.error ? { approvalsError: approvals.error } : {}),
    confirmBy: o.confirmAs ?? ('confirmBy' in file ? file.confirmBy : undefined),
    interactive: s.interactive,
    // Only the tool's own setting: a generic DATABASE_URL (the application's) must never move the
    // journal and the lock elsewhere, or a run with it and a run without it would not exclude each other.
    auditDb: s.auditDb,
    ownerRole: ownerRolePolicy(o),
    onNotice: (m) => terminal.note(`warning: ${m}`),
    concurrency: o.concurrency ? Number(o.concurrency) : undefined,
    signal: terminal.signal,
    env: process.env,
    commit: o.commit ?? process.env.GITHUB_SHA ?? gitHead(o.root),
    onRecord: o.json ? (r) => process.stdout.write(JSON.stringify(r) + '\n') : terminal.progress.onRecord,
    logger: terminal.progress.logger,
    beforeSteps: s.beforeSteps,
    runId: s.runId,
    ...(s.resume ? { resume: s.resume } : {}),
  };
}

function ownerRolePolicy(o: RunCliOptions): LiveRunRequest['ownerRole'] {
  if (o.allowOwnerRole || envFlag(process.env.RUNBOOK_ALLOW_OWNER_ROLE)) return 'allow';
  return envFlag(process.env.CI) ? 'refuse' : 'warn';
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
