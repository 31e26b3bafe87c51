import { appendFileSync } from 'node:fs';
import {
  githubRunOptions,
  loadGraph,
  newRunId,
  readApprovals,
  runLive,
  shortSecretWarnings,
  type ResumeState,
  type RunStatus,
} from '../../executor/facade/index.js';
import { refuseStaleGraphs } from '../check-generated.js';
import { ExitCode } from '../exit-codes.js';
import { localLockLine, localLockRefusal, localLockVerdict, type LocalLockVerdict } from '../local-lock.js';
import { reportOutcome } from '../run/outcome.js';
import { envFlag, liveRunRequest, type RunSettings } from '../run/request.js';
import { openRunTerminal, type RunTerminal } from '../run/terminal.js';
import type { RunCliOptions, RunExtras } from '../run/options.js';

export type { RunCliOptions, RunExtras } from '../run/options.js';

const exitFor: Record<RunStatus, number> = {
  succeeded: ExitCode.Ok,
  failed: ExitCode.RunFailed,
  'rolled-back': ExitCode.RolledBack,
  'rollback-incomplete': ExitCode.RollbackIncomplete,
  interrupted: ExitCode.Interrupted,
  refused: ExitCode.Refused,
};

/**
 * `runbook run NAME`: executes the compiled graph with audit, lock, approvals and progress, through
 * the executor's facade. `resume` continues a journaled run; `extra` is what drill and run-request add.
 */
export async function runCommand(
  name: string,
  o: RunCliOptions,
  resume?: ResumeState,
  extra?: RunExtras,
): Promise<number> {
  const approvals = readApprovals(o.approvals ?? process.env.RUNBOOK_APPROVALS);
  const interactive = process.stdin.isTTY === true && !process.env.CI;
  const runId = resume?.runId ?? newRunId(name);
  const terminal = openRunTerminal({ json: o.json, interactive }, runId);
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
  const settings: RunSettings = {
    name,
    runId,
    dryRun,
    ...(auditDb ? { auditDb } : {}),
    interactive,
    approvals,
    ...(resume ? { resume } : {}),
    ...(extra ? { extra } : {}),
    beforeSteps: beforeSteps(terminal, lockVerdict, lockLine, extra),
  };
  try {
    return await runThrough(o, settings, terminal, lockLine);
  } finally {
    terminal.close();
  }
}

/**
 * A new run is journaled when beforeSteps is called (run:start is durable by then); a resumed one
 * already was. The local-lock refusal comes after run:start, so it is journaled like any other.
 */
function beforeSteps(
  terminal: RunTerminal,
  lockVerdict: LocalLockVerdict,
  lockLine: string | undefined,
  extra: RunExtras | undefined,
): RunSettings['beforeSteps'] {
  return async (ctx) => {
    terminal.started();
    if (lockVerdict === 'refused') {
      if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `> **${lockLine}**\n\n`);
      throw localLockRefusal();
    }
    await extra?.beforeSteps?.(ctx);
  };
}

async function runThrough(
  o: RunCliOptions,
  s: RunSettings,
  terminal: RunTerminal,
  lockLine: string | undefined,
): Promise<number> {
  const request = liveRunRequest(o, s, terminal);
  if (s.resume) terminal.started();
  // A resumed run continues its journaled graph; a new one must run what the sources say.
  else refuseStaleGraphs(o.root, s.name);
  // A resumed run stays local, unless it was parked at a gate: then the gate goes on on GitHub.
  const parked = s.resume?.parked;
  const github =
    s.resume && !parked
      ? {}
      : await githubRunOptions({
          env: process.env,
          graph: loadGraph(o.root, s.name),
          runId: s.runId,
          initiator: request.initiator,
          dryRun: request.dryRun,
          issueNumber: s.extra?.issueNumber,
          ...(s.auditDb ? { auditDb: s.auditDb } : {}),
          ...(parked ? { parked } : {}),
        });
  for (const line of shortSecretWarnings(o.root, s.name, process.env)) terminal.note(line);
  const result = await runLive({ ...request, ...github, ...(s.extra?.faults ? { faults: s.extra.faults } : {}) });
  await s.extra?.onOutcome?.(result.outcome, result.records);
  reportOutcome(result, { json: o.json, ...(lockLine ? { lockLine } : {}) });
  // Parked at a gate: the job ends green, the run is not over (an approval resumes it).
  return result.outcome.result.parked ? ExitCode.Parked : exitFor[result.outcome.status];
}
