import type { RunInfo } from '../actions/action.js';
import { removeOrphanStepDirs } from '../actions/step-dirs.js';
import { checkAuditDb } from '../audit/db-preflight.js';
import { HashedMasks } from '../core/hashed-masks.js';
import { SecretMasker } from '../core/secrets.js';
import { withFaults } from '../drill/faults.js';
import { runGraph } from '../scheduler/scheduler.js';
import { ownRestored } from './resume-nested.js';
import { RollbackDataStore } from './rollback-data.js';
import { journalStart, openRunAudit, refuseBeforeSteps, type RunAudit } from './run-journal.js';
import { acquireRunLock, runLockKey, type RunLock } from './run-lock.js';
import { journalPark } from './park-run.js';
import type { RunOptions, RunOutcome } from './run-options.js';
import { prepareRun, type PreparedRun } from './run-prepare.js';
import { runnerFactory } from './run-runner.js';
import { trackProgress } from './run-progress.js';
import { startUpdates } from './run-updates.js';

export type { RunOptions, RunOutcome } from './run-options.js';

/**
 * One run from start to end: load and check the graph, resolve inputs and secrets, take the
 * concurrency lock, open the audit log (the journal), run the scheduler, write `run:end`.
 */
export async function runRunbook(o: RunOptions): Promise<RunOutcome> {
  const p = prepareRun(o);
  // A killed executor leaves its steps' temp files (outputs may hold secrets): clear them now.
  await removeOrphanStepDirs();
  const notice = o.onNotice ?? (() => undefined);
  // Before the lock: a run never creates the audit table, and refuses (under CI) a role that could rewrite it.
  if (o.auditDb) for (const w of await checkAuditDb(o.auditDb, o.ownerRole ?? 'warn')) notice(w);
  const lock = await acquireRunLock({
    root: o.root,
    key: runLockKey(p.graph),
    runId: p.runId,
    initiator: o.initiator,
    auditDb: o.auditDb,
    onLost: notice,
  });
  const masker = new SecretMasker([...p.maskedValues, ...(p.signer?.secrets ?? [])]);
  // Values scripts registered before a resume are known only by salted hashes (never in clear).
  if (o.resume?.masks?.length) masker.addHashed(new HashedMasks(p.runId, o.resume.masks));
  const { audit, auditPath } = openRunAudit(o, p, masker, notice);
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(o.signal.reason);
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await executeRun(o, p, { audit, lock, masker, signal: ctrl.signal });
    return { runId: p.runId, status: result.status, planHash: p.planHash, auditPath, result, graph: p.graph };
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    await closeRun(audit, lock);
  }
}

interface RunResources {
  readonly audit: RunAudit;
  readonly lock: RunLock;
  readonly masker: SecretMasker;
  readonly signal: AbortSignal;
}

/** Journals the start, runs the scheduler over the graph, journals the end. */
async function executeRun(o: RunOptions, p: PreparedRun, r: RunResources): Promise<RunOutcome['result']> {
  const { audit } = r;
  const clock = p.clock;
  const started = clock.now();
  const info = runInfo(o, p, clock.now());
  await journalStart(o, p, audit, r.lock.takenOver);
  await refuseBeforeSteps(o, p, audit, started);
  // Rollback data journaled before a crash is read back, its masked secrets restored (rollback-data.ts).
  const rollbackData = RollbackDataStore.fromJournal(p.runId, o.resume?.rollbackData, p.maskedValues);
  // The run's progress (phase, steps done) is read off its own events, for recurring updates.
  const tracked = trackProgress(audit, p.graph, () => clock.now(), ownRestored(o.resume?.restored));
  const live = runnerFactory(
    o,
    p,
    r.masker,
  )({
    graph: p.graph,
    info,
    inputs: p.inputs,
    secrets: p.secrets,
    events: tracked.sink,
    restored: o.resume?.restored,
    rollbackData,
  });
  const updates = startUpdates({
    updates: p.graph.updates ?? [],
    events: audit,
    progress: tracked.progress,
    send: (params, signal) => live.notifyOutside('updates', params, signal),
    signal: r.signal,
    mask: (text) => r.masker.mask(text),
  });
  const result = await runGraph({
    graph: p.graph,
    runner: o.faults?.size ? withFaults(live, o.faults, clock) : live,
    events: tracked.sink,
    clock,
    signal: r.signal,
    concurrency: o.concurrency,
    restored: ownRestored(o.resume?.restored),
    ...(o.resume?.phasesEnded ? { phasesEnded: o.resume.phasesEnded } : {}),
  }).finally(() => updates.stop()); // before run:end / run:parked: no update after the run's end
  // Parked at a gate: run:parked is the last record, no run:end (the run is not over).
  if (result.parked) return (await journalPark(audit, result.parked, p.graph, o.trackingIssue), result);
  if (result.status === 'interrupted')
    await audit.emit('run:interrupted', { signal: String(o.signal.reason ?? 'SIGINT') });
  await audit.emit('run:end', {
    status: result.status,
    durationMs: clock.now() - started,
    ...(result.recoveredAtMs !== undefined ? { recoveredAtMs: result.recoveredAtMs } : {}),
    ...(runEndError(result) ? { error: runEndError(result) } : {}),
  });
  return result;
}

function runInfo(o: RunOptions, p: PreparedRun, now: number): RunInfo {
  return {
    id: p.runId,
    runbook: p.graph.name,
    initiator: o.initiator,
    startedAt: new Date(now).toISOString(),
    dryRun: o.dryRun,
    drill: o.drill === true,
    ...(o.drill && o.drillNotifiesCustomers ? { drillNotifiesCustomers: true } : {}),
    url: o.env.GITHUB_RUN_URL ?? runUrl(o.env),
    planHash: p.planHash,
  };
}

/** Closes the journal, then always releases the lock. */
async function closeRun(audit: RunAudit, lock: RunLock): Promise<void> {
  try {
    await audit.close();
  } finally {
    // Always: a failed close must not leave the lock (and its connection, which keeps the process alive).
    await lock.release();
  }
}

/** What went wrong, for `run:end`: the steps that failed, and what a rollback left in place and why. */
function runEndError(result: RunOutcome['result']): string | undefined {
  const parts = [
    ...(result.failed.length ? [`failed: ${result.failed.join(', ')}`] : []),
    ...(result.rollback
      ? [`rollback incomplete (${result.rollback.reason}); not undone: ${result.rollback.notUndone.join(', ')}`]
      : []),
  ];
  return parts.length ? parts.join('; ') : undefined;
}

function runUrl(env: NodeJS.ProcessEnv): string {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = env;
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
    ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
    : '';
}
