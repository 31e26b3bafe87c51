import { join } from 'node:path';
import { childGraphHashes, runModeOf, runPlanHash } from '../../ir/plan-hash.js';
import type { IrGraph } from '../../ir/types.js';
import type { ActionDefinition, ApprovalGate, RunInfo, StepLogger } from '../actions/action.js';
import type { ChannelSender } from '../notify/delivery.js';
import { localApprovalGate, localConfirmer } from '../approvals/local-gate.js';
import type { ApprovalClaim } from '../approvals/policy.js';
import { auditSignerFromEnv } from '../audit/audit-key.js';
import { sshKeygenVerifier, type SignatureVerifier } from '../approvals/signature-verifier.js';
import { createFileSink } from '../audit/file-sink.js';
import { createPgAnchorSink } from '../audit/pg-anchors.js';
import { createPgSink } from '../audit/pg-sink.js';
import { createBufferedDbSink, type BufferedDbSink } from '../audit/buffered-db-sink.js';
import { checkAuditDb, dbSyncCommand } from '../audit/db-preflight.js';
import type { OwnerRolePolicy } from '../audit/db-role-check.js';
import { createAuditLog, type AuditRecord, type AuditSink } from '../audit/record.js';
import { systemClock, type Clock } from '../core/clock.js';
import { RunRefused } from '../core/errors.js';
import type { EventSink, RunStatus } from '../core/events.js';
import { HashedMasks } from '../core/hashed-masks.js';
import { SecretMasker } from '../core/secrets.js';
import { resolveInputs } from '../inputs/resolve-inputs.js';
import { acquireRunLock } from './run-lock.js';
import { removeOrphanStepDirs } from '../actions/step-dirs.js';
import { countSlots, unmaskInputs } from './unmask-inputs.js';
import { runGraph, type SchedulerResult } from '../scheduler/scheduler.js';
import { LiveRunner } from './live-runner.js';
import { loadGraph } from './load-graph.js';
import { newRunId } from './run-id.js';
import { describeFault, withFaults, type Fault } from '../drill/faults.js';
import { prefixedSink, reachableGraphs } from './subgraph.js';
import type { ResumeState } from './resume-state.js';
import { RollbackDataStore } from './rollback-data.js';
import { calledOnce, nestedRestored, ownRestored, type Restored } from './resume-nested.js';

export interface RunOptions {
  readonly root: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly dryRun: boolean;
  readonly drill?: boolean;
  /** A drill that may reach external audiences and customer-facing templates. */
  readonly drillNotifiesCustomers?: boolean;
  readonly initiator: string;
  readonly approvals: readonly ApprovalClaim[];
  /**
   * Why the approvals file could not be used (parse error, size, bad entry): the run is refused
   * after run:start (or run:resume), so the refusal is in the audit log like any other.
   */
  readonly approvalsError?: RunRefused;
  /** Checks signed local approvals (default: ssh-keygen -Y verify). */
  readonly signatureVerifier?: SignatureVerifier;
  readonly confirmBy?: string;
  readonly interactive: boolean;
  readonly auditDb?: string;
  /** A role that can alter runbook_audit: warn (default), refuse (CI) or allow (overridden, still warned). */
  readonly ownerRole?: OwnerRolePolicy;
  /** Warnings and notices about the run's machinery (audit database outage, role); never secrets. */
  readonly onNotice?: (message: string) => void;
  readonly concurrency?: number;
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
  readonly commit?: string;
  readonly actions: ReadonlyMap<string, ActionDefinition>;
  readonly sideEffectFree: ReadonlySet<string>;
  /** Sees every audit record as it is made (progress display); not a durable sink. */
  readonly onRecord?: (record: AuditRecord) => void;
  readonly logger?: (stepId: string) => StepLogger;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  readonly resume?: ResumeState;
  /** Use this run id (e.g. to open a tracking issue before the run starts). */
  readonly runId?: string;
  /** The run's tracking issue or pull request, recorded in run:start (its chain heads are published there). */
  readonly trackingIssue?: { readonly number: number; readonly url: string };
  /** More audit sinks (the GitHub tracking issue). */
  readonly extraSinks?: readonly AuditSink[];
  /** Replaces the local approval gate (GitHub comments on the tracking issue). */
  readonly approvalGate?: (o: {
    events: EventSink;
    graph: IrGraph;
    planHash: string;
    masker: SecretMasker;
  }) => ApprovalGate;
  /** Runs after run:start, before any step; throwing RunRefused stops the run (run-request checks). */
  readonly beforeSteps?: (o: { events: EventSink; graph: IrGraph; planHash: string }) => Promise<void>;
  /** Drills: faults to inject, step id → fault (see executor/drill/faults.ts). */
  readonly faults?: ReadonlyMap<string, Fault>;
  /** Channel senders for notify (the tracking issue's `github` channel). */
  readonly channels?: Readonly<Record<string, ChannelSender>>;
}

export interface RunOutcome {
  readonly runId: string;
  readonly status: RunStatus;
  readonly planHash: string;
  readonly auditPath: string;
  readonly result: SchedulerResult;
  readonly graph: IrGraph;
}

/**
 * One run from start to end: load and check the graph, resolve inputs and secrets, take the
 * concurrency lock, open the audit log (the journal), run the scheduler, write `run:end`.
 */
export async function runRunbook(o: RunOptions): Promise<RunOutcome> {
  const graph = loadGraph(o.root, o.name);
  // Inputs are checked before secrets are read, so a bad input is reported first.
  const fresh = o.resume ? undefined : resolveInputs(graph, o.inputs);
  const graphs = reachableGraphs(o.root, graph);
  const secrets = readSecrets(graph, o.env, o.dryRun);
  // Secrets of nested runbooks are masked from the first record on.
  const nestedSecrets = [...graphs.values()].flatMap((g) => Object.values(readSecrets(g, o.env, true)));
  // The runner's own credentials reach cloud CLIs in shell steps; they are masked like secrets.
  const identity = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].map((k) => o.env[k]).filter((v): v is string => !!v);
  const mode = runModeOf({ dryRun: o.dryRun, drill: o.drill === true });
  const hashOf = (inputs: Record<string, unknown>) =>
    runPlanHash(graph, inputs, {
      mode,
      children: childGraphHashes(graph, (name) => graphs.get(name)),
    });
  const inputs = o.resume
    ? resumedInputs(o.resume, [...Object.values(secrets), ...nestedSecrets, ...identity], hashOf)
    : fresh!;
  const planHash = hashOf(inputs);
  const clock = o.clock ?? systemClock;
  const runId = o.resume?.runId ?? o.runId ?? newRunId(graph.name);
  // The audit signing key is checked before the lock is taken (a bad key refuses the run) and masked everywhere.
  const signer = auditSignerFromEnv(o.env);
  // A killed executor leaves its steps' temp files (outputs may hold secrets): clear them now.
  await removeOrphanStepDirs();
  const notice = o.onNotice ?? (() => undefined);
  // Before the lock: a run never creates the audit table, and refuses (under CI) a role that could rewrite it.
  if (o.auditDb) for (const w of await checkAuditDb(o.auditDb, o.ownerRole ?? 'warn')) notice(w);
  const lock = await acquireRunLock({
    root: o.root,
    key: graph.concurrency ?? `runbook-${graph.name}`,
    runId,
    initiator: o.initiator,
    auditDb: o.auditDb,
    onLost: notice,
  });
  const masker = new SecretMasker([
    ...Object.values(secrets),
    ...nestedSecrets,
    ...identity,
    ...(signer?.secrets ?? []),
  ]);
  // Values scripts registered before a resume are known only by salted hashes (never in clear).
  if (o.resume?.masks?.length) masker.addHashed(new HashedMasks(runId, o.resume.masks));
  const auditPath = join(o.root, '.runbook', 'runs', runId, 'audit.jsonl');
  const sinks: AuditSink[] = [createFileSink({ path: auditPath, runId })];
  const auditDb = o.auditDb;
  const dbSink: BufferedDbSink | undefined = auditDb
    ? createBufferedDbSink({ open: () => createPgSink({ url: auditDb }), notice })
    : undefined;
  if (dbSink) sinks.push(dbSink);
  if (auditDb) sinks.push(createPgAnchorSink({ url: auditDb }));
  sinks.push(...(o.extraSinks ?? []));
  if (o.onRecord) sinks.push({ name: 'progress', write: async (records) => records.forEach((r) => o.onRecord!(r)) });
  const audit = createAuditLog({
    runId,
    runbook: graph.name,
    planHash,
    commit: o.commit,
    actor: o.initiator,
    sinks,
    masker,
    ...(o.resume ? { continueFrom: o.resume.tail } : {}),
    ...(signer ? { sign: signer.sign } : {}),
  });
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(o.signal.reason);
  o.signal.addEventListener('abort', onAbort, { once: true });
  const started = clock.now();
  try {
    const run: RunInfo = {
      id: runId,
      runbook: graph.name,
      initiator: o.initiator,
      startedAt: new Date(clock.now()).toISOString(),
      dryRun: o.dryRun,
      drill: o.drill === true,
      ...(o.drill && o.drillNotifiesCustomers ? { drillNotifiesCustomers: true } : {}),
      url: o.env.GITHUB_RUN_URL ?? runUrl(o.env),
      planHash,
    };
    const takeover = lock.takenOver ? { lockTakenOver: lock.takenOver } : {};
    if (o.resume)
      await audit.emit('run:resume', {
        by: o.initiator,
        completed: [...o.resume.restored.keys()],
        inDoubt: o.resume.inDoubt,
        ...(o.resume.droppedTornLine ? { droppedTornLine: true } : {}),
        ...(o.resume.reconciled ? { reconciled: o.resume.reconciled } : {}),
        ...takeover,
      });
    else
      await audit.emit('run:start', {
        runbook: graph.name,
        title: graph.title,
        planHash,
        ...(o.commit ? { commit: o.commit } : {}),
        initiator: o.initiator,
        inputs,
        dryRun: o.dryRun,
        drill: o.drill === true,
        objectives: graph.objectives,
        ...(o.drill && o.drillNotifiesCustomers ? { drillNotifiesCustomers: true } : {}),
        phases: graph.phases.map((p) => ({
          id: p.id,
          steps: p.steps,
          ...(p.budgetMs !== undefined ? { budgetMs: p.budgetMs } : {}),
        })),
        ...(o.faults?.size ? { faults: Object.fromEntries([...o.faults].map(([k, f]) => [k, describeFault(f)])) } : {}),
        ...takeover,
        ...(o.trackingIssue ? { trackingIssue: { number: o.trackingIssue.number, url: o.trackingIssue.url } } : {}),
      });
    for (const d of o.resume?.decisions ?? []) await audit.emit('operator:decision', d);
    if (o.beforeSteps && !o.resume) {
      try {
        await o.beforeSteps({ events: audit, graph, planHash });
      } catch (e) {
        // A refusal is part of the record: the journal ends with it, never dangles.
        await audit.emit('run:end', {
          status: 'refused',
          durationMs: clock.now() - started,
          error: (e as Error).message,
        });
        throw e;
      }
    }
    // After beforeSteps: the run is journaled (and its id announced) before it is refused.
    if (o.approvalsError) {
      await audit.emit('approval:refused', { stepId: '*', source: 'approvals-file', reason: o.approvalsError.message });
      // A resumed run stays resumable once the file is fixed: only a new run ends here.
      if (!o.resume)
        await audit.emit('run:end', {
          status: 'refused',
          durationMs: clock.now() - started,
          error: o.approvalsError.message,
        });
      throw o.approvalsError;
    }
    // Rollback data journaled before a crash is read back, its masked secrets restored (rollback-data.ts).
    const rollbackStore = RollbackDataStore.fromJournal(runId, o.resume?.rollbackData, [
      ...Object.values(secrets),
      ...nestedSecrets,
      ...identity,
    ]);
    const makeRunner = (
      g: IrGraph,
      info: RunInfo,
      gInputs: Record<string, unknown>,
      gSecrets: Record<string, string>,
      events: EventSink,
      restored: Restored | undefined,
      rollbackData: RollbackDataStore,
    ): LiveRunner => {
      // On resume, a child continues from its journal entries, once: a later call starts afresh.
      const resumed = new Set<string>();
      const restoredChild = (name: string): Restored | undefined => {
        if (!restored || resumed.has(name) || !calledOnce(g, name)) return undefined;
        resumed.add(name);
        return nestedRestored(restored, name);
      };
      return new LiveRunner({
        graph: g,
        run: info,
        inputs: gInputs,
        secrets: gSecrets,
        masker,
        actions: o.actions,
        clock,
        sideEffectFree: o.sideEffectFree,
        rollbackData,
        logger: (id) => maskedLogger(o.logger?.(id), masker),
        services: {
          graph: g,
          events,
          fetch: o.fetch ?? fetch,
          approvals:
            o.approvalGate?.({ events, graph: g, planHash, masker }) ??
            localApprovalGate({
              initiator: o.initiator,
              planHash,
              members: g.resources.approvers,
              claims: o.approvals,
              events,
              interactive: o.interactive,
              mode,
              signers: g.resources.signers ?? {},
              verifier: o.signatureVerifier ?? sshKeygenVerifier(),
            }),
          ...(o.channels ? { channels: o.channels } : {}),
          confirmer: localConfirmer({ confirmBy: o.confirmBy, interactive: o.interactive }),
          // A nested runbook runs inside this run: same journal, lock and approvals, ids prefixed.
          runSubgraph: async (name, childInputs, signal) => {
            const child = graphs.get(name) ?? loadGraph(o.root, name);
            const childEvents = prefixedSink(events, `${name}/`);
            const childRestored = restoredChild(name);
            const runner = makeRunner(
              child,
              { ...info, runbook: name },
              resolveInputs(child, childInputs),
              readSecrets(child, o.env, o.dryRun),
              childEvents,
              childRestored,
              childRollbackData(rollbackData, g, name),
            );
            const r = await runGraph({
              graph: child,
              runner,
              events: childEvents,
              clock,
              signal,
              concurrency: o.concurrency,
              restored: ownRestored(childRestored),
            });
            const outputs = Object.fromEntries([...r.steps].map(([id, st]) => [id, st.outputs]));
            return { status: r.status, outputs };
          },
        },
      });
    };
    const live = makeRunner(graph, run, inputs, secrets, audit, o.resume?.restored, rollbackStore);
    const runner = o.faults?.size ? withFaults(live, o.faults, clock) : live;
    const result = await runGraph({
      graph,
      runner,
      events: audit,
      clock,
      signal: ctrl.signal,
      concurrency: o.concurrency,
      restored: ownRestored(o.resume?.restored),
      ...(o.resume?.phasesEnded ? { phasesEnded: o.resume.phasesEnded } : {}),
    });
    if (result.status === 'interrupted')
      await audit.emit('run:interrupted', { signal: String(o.signal.reason ?? 'SIGINT') });
    await audit.emit('run:end', {
      status: result.status,
      durationMs: clock.now() - started,
      ...(result.recoveredAtMs !== undefined ? { recoveredAtMs: result.recoveredAtMs } : {}),
      ...(runEndError(result) ? { error: runEndError(result) } : {}),
    });
    return { runId, status: result.status, planHash, auditPath, result, graph };
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    try {
      await audit.close();
    } finally {
      // Always: a failed close must not leave the lock (and its connection, which keeps the process alive).
      await lock.release();
    }
    if (dbSink?.pending)
      notice(
        `the audit database is still unreachable: ${dbSink.pending} record${dbSink.pending === 1 ? '' : 's'} of run ${runId} are missing there (the file journal has them); back-fill with: ${dbSyncCommand(runId, auditDb!)}`,
      );
  }
}

/**
 * A child's rollback data: its steps' entries under `<runbook>/`. Two calls of one child share that
 * prefix in the journal, so which call saved what cannot be told (as for restored steps, see
 * resume-nested.ts): such a child starts each call with none.
 */
function childRollbackData(parent: RollbackDataStore, graph: IrGraph, name: string): RollbackDataStore {
  return calledOnce(graph, name) ? parent.scoped(`${name}/`) : RollbackDataStore.fromJournal('', undefined, []);
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

/**
 * The inputs of the run being resumed, checked against its plan hash. The journal holds them with
 * secret values masked: those are put back from the secrets set now (see unmask-inputs.ts).
 */
function resumedInputs(
  resume: ResumeState,
  secretValues: readonly string[],
  hashOf: (inputs: Record<string, unknown>) => string,
): Record<string, unknown> {
  if (hashOf(resume.inputs) === resume.planHash) return resume.inputs;
  const restored = unmaskInputs(resume.inputs, secretValues, (inputs) => hashOf(inputs) === resume.planHash);
  if (restored) return restored;
  if (countSlots(resume.inputs) > 0) {
    throw new RunRefused(
      `run ${resume.runId} has inputs holding secret values (masked in its journal), and the secrets set now do not restore them to plan ${resume.planHash.slice(0, 12)}`,
      'resume with the same secret values as the run that started it (a rotated secret cannot resume an old run), or start a new run',
    );
  }
  throw new RunRefused(
    `run ${resume.runId} was started with plan ${resume.planHash.slice(0, 12)}; the runbook now compiles to ${hashOf(resume.inputs).slice(0, 12)}`,
    'a changed runbook cannot resume an old run; start a new run',
  );
}

/** Secret values from the environment; a real run refuses to start without all of them. */
function readSecrets(graph: IrGraph, env: NodeJS.ProcessEnv, dryRun: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of graph.secrets) {
    const v = env[name];
    if (v === undefined || v === '') missing.push(name);
    else out[name] = v;
  }
  if (missing.length && !dryRun) {
    throw new RunRefused(
      `missing secrets: ${missing.join(', ')}`,
      'set them as environment variables (in Actions: repository or environment secrets passed through env:)',
    );
  }
  return out;
}

function runUrl(env: NodeJS.ProcessEnv): string {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = env;
  return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID
    ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`
    : '';
}

/** Every line an action prints goes through the masker before anyone sees it. */
function maskedLogger(inner: StepLogger | undefined, masker: SecretMasker): StepLogger {
  return {
    info: (m) => inner?.info(masker.mask(m)),
    stdout: (l) => inner?.stdout(masker.mask(l)),
    stderr: (l) => inner?.stderr(masker.mask(l)),
  };
}
