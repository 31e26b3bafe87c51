import { setMaxListeners } from 'node:events';
import type { FailurePolicy, IrGraph, IrNode } from '../../ir/types.js';
import type { Clock } from '../core/clock.js';
import { isRetryable, RunCancelled } from '../core/errors.js';
import type { EventSink, RunStatus, StepStatus } from '../core/events.js';
import { messageOf, runAttempt, statusOf } from './attempt.js';
import { retryDelay } from './backoff.js';
import { rollBack } from './rollback.js';
import type { StepRunner } from './step-runner.js';

export interface SchedulerOptions {
  readonly graph: IrGraph;
  readonly runner: StepRunner;
  readonly events: EventSink;
  readonly clock: Clock;
  /** Cancels the run (SIGINT/SIGTERM): running steps are aborted, nothing new starts. */
  readonly signal: AbortSignal;
  /** At most this many steps run at once (default 8). */
  readonly concurrency?: number;
  readonly random?: () => number;
  /** Steps finished in an earlier process (resume): not run again, outputs restored. */
  readonly restored?: ReadonlyMap<string, { status: StepStatus; outputs: Record<string, unknown> }>;
  /**
   * Resume of a run killed during `finally`: the phases already ended with this outcome (from
   * the journal's `phase:start finally`); only the finally steps are left.
   */
  readonly phasesEnded?: { readonly status: RunStatus; readonly failed: readonly string[] };
}

export interface StepState {
  status: StepStatus;
  outputs: Record<string, unknown>;
  error?: string;
  endedAt: number;
}

export interface SchedulerResult {
  readonly status: RunStatus;
  readonly steps: ReadonlyMap<string, StepState>;
  /** Milliseconds from the scheduler's start to the end of the `recovery: true` step. */
  readonly recoveredAtMs?: number;
  readonly failed: string[];
  readonly notStarted: string[];
  /** A rollback that left reversible steps in place (`rollback-incomplete`): which, and why. */
  readonly rollback?: { readonly notUndone: string[]; readonly reason: string };
}

/**
 * Runs a step graph as fast as its dependencies allow. Phases are already edges in the IR, so
 * the scheduler only follows `needs`. Failure policy: `continue` records the failure and goes on;
 * `abort` and `rollback` start nothing new, let running steps finish (a half-done DNS switch must
 * not be killed), then `rollback` compensates completed steps in reverse completion order.
 */
export async function runGraph(options: SchedulerOptions): Promise<SchedulerResult> {
  const { graph, runner, events, clock, signal } = options;
  const limit = Math.max(1, options.concurrency ?? 8);
  // Every running attempt listens to the run's signal; without this Node warns above 10 of them.
  setMaxListeners(limit + 10, signal);
  const started = clock.now();
  const states = new Map<string, StepState>();
  const completion: string[] = [];
  // By id (the first of an id, as `find` gave): a resume restores thousands of steps, and a
  // `find` per step was quadratic (75 ms of a 10,000-step resume; issue 12, the bench's resume figure).
  const nodeById = new Map<string, IrNode>();
  for (const n of graph.nodes) if (!nodeById.has(n.id)) nodeById.set(n.id, n);
  for (const [id, r] of options.restored ?? []) {
    states.set(id, { status: r.status, outputs: r.outputs, endedAt: started });
    if (r.status === 'succeeded') completion.push(id);
    const node = nodeById.get(id);
    if (node) runner.record(node, r.status, r.outputs);
  }
  const phases = new PhaseTracker(graph, events, clock, states);
  let stopping: { policy: FailurePolicy; reason: string } | undefined;
  let recoveredAtMs: number | undefined;
  const running = new Map<string, Promise<void>>();
  let finallyFailed = false;
  // Phase steps that failed before a kill during `finally` are not in `restored` (a resume would
  // run them again): the journal's `phase:start finally` names them.
  const failedSoFar = () => [
    ...new Set([
      ...(options.phasesEnded?.failed ?? []),
      ...[...states].filter(([, s]) => s.status === 'failed' || s.status === 'timed-out').map(([id]) => id),
    ]),
  ];

  const finish = (node: IrNode, state: StepState) => {
    states.set(node.id, state);
    runner.record(node, state.status, state.outputs, state.error);
    if (state.status === 'succeeded') completion.push(node.id);
    if (node.recovery && state.status === 'succeeded') recoveredAtMs = state.endedAt - started;
    if (node.finally) {
      // A failing finally step fails the run; the other finally steps still run.
      if (state.status === 'failed' || state.status === 'timed-out') {
        finallyFailed = true;
        runner.recordRun?.('failed', failedSoFar());
      }
    } else if (state.status === 'failed' || state.status === 'timed-out') {
      const policy = node.onFailure ?? graph.onFailure;
      if (policy !== 'continue' && !stopping)
        stopping = { policy, reason: `step ${node.id} ${state.status}: ${state.error ?? ''}`.trim() };
    }
  };

  const execute = async (node: IrNode): Promise<void> => {
    await phases.starting(node);
    const state = await executeNode(node, options);
    finish(node, state);
    await events.emit('step:end', {
      stepId: node.id,
      attempt: state.attempts,
      status: state.status,
      durationMs: state.durationMs,
      ...(Object.keys(state.outputs).length ? { outputs: state.outputs } : {}),
      ...(state.error ? { error: state.error } : {}),
      ...(state.reason ? { reason: state.reason } : {}),
    });
    await phases.ended(node);
  };

  const drive = async (nodes: readonly IrNode[], halted: () => boolean): Promise<void> => {
    for (;;) {
      if (!halted()) {
        for (const node of nodes) {
          if (running.size >= limit) break;
          if (states.has(node.id) || running.has(node.id)) continue;
          if (!node.needs.every((d) => states.has(d))) continue;
          const p = execute(node).finally(() => running.delete(node.id));
          running.set(node.id, p);
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  };

  let status: RunStatus = options.phasesEnded?.status ?? 'succeeded';
  let incomplete: SchedulerResult['rollback'];
  if (!options.phasesEnded) {
    runner.recordRun?.('running', []);
    await drive(
      graph.nodes.filter((n) => !n.finally),
      () => !!stopping || signal.aborted,
    );
    if (signal.aborted) status = 'interrupted';
    else if (stopping?.policy === 'rollback') {
      const outcome = await rollBack({
        graph,
        runner,
        events,
        clock,
        signal,
        completion: [...completion],
        reason: stopping.reason,
      });
      // `rolled-back` promises every reversible step was undone; anything less says so.
      if (outcome.notUndone.length)
        incomplete = { notUndone: outcome.notUndone, reason: outcome.reason ?? outcome.status };
      status = incomplete ? 'rollback-incomplete' : 'rolled-back';
    } else if (stopping) status = 'failed';
  }
  // An interrupted run is not over (it is resumable): cleanup now would destroy what the resume
  // needs, so finally steps run when the resumed run's phases end. See docs/format-reference.md.
  const finals = graph.nodes.filter((n) => n.finally);
  if (finals.length && status !== 'interrupted') {
    const failed = failedSoFar();
    runner.recordRun?.(status, failed);
    await phases.begin('finally', { runStatus: status, failed });
    await drive(finals, () => signal.aborted);
    if (signal.aborted) status = 'interrupted';
    else if (finallyFailed) status = 'failed';
  }

  const notStarted = graph.nodes.filter((n) => !states.has(n.id)).map((n) => n.id);
  const failed = failedSoFar();
  return { status, steps: states, recoveredAtMs, failed, notStarted, ...(incomplete ? { rollback: incomplete } : {}) };
}

interface NodeOutcome extends StepState {
  attempts: number;
  durationMs: number;
  reason?: string;
}

async function executeNode(node: IrNode, options: SchedulerOptions): Promise<NodeOutcome> {
  const { runner, events, clock, signal } = options;
  const t0 = clock.now();
  const done = (status: StepStatus, attempts: number, extra: Partial<NodeOutcome> = {}): NodeOutcome => ({
    status,
    outputs: {},
    attempts,
    durationMs: clock.now() - t0,
    endedAt: clock.now(),
    ...extra,
  });
  try {
    if (!runner.shouldRun(node)) return done('skipped', 0, { reason: 'condition is false' });
  } catch (e) {
    return done('failed', 0, { error: `if: ${messageOf(e)}` });
  }
  if (node.approval && node.uses !== 'approval') {
    try {
      await runner.gate(node, signal);
    } catch (e) {
      return done(statusOf(e), 0, { error: messageOf(e), reason: 'approval gate' });
    }
  }
  const attempts = node.retry?.attempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    await events.emit('step:start', {
      stepId: node.id,
      attempt,
      uses: node.uses,
      idempotent: node.idempotent,
      sideEffects: runner.sideEffects(node),
      dryRun: runner.dryRun,
    });
    try {
      const r = await runAttempt(node, attempt, runner, clock, signal);
      return done('succeeded', attempt, { outputs: r.outputs });
    } catch (e) {
      const status = statusOf(e);
      const error = messageOf(e);
      if (status === 'cancelled' || signal.aborted) return done('cancelled', attempt, { error });
      if (attempt >= attempts || !isRetryable(e)) return done(status, attempt, { error });
      const delayMs = retryDelay(node.retry!, attempt, options.random);
      await events.emit('step:retry', { stepId: node.id, attempt, error, delayMs });
      try {
        await clock.sleep(delayMs, signal);
      } catch {
        return done('cancelled', attempt, { error: new RunCancelled('run cancelled during retry delay').message });
      }
    }
  }
}

/** Emits phase:start before a phase's first step and phase:end after its last. */
class PhaseTracker {
  private readonly startedAt = new Map<string, number>();
  private readonly remaining = new Map<string, Set<string>>();

  constructor(
    private readonly graph: IrGraph,
    private readonly events: EventSink,
    private readonly clock: Clock,
    done: Map<string, StepState>,
  ) {
    for (const p of graph.phases) this.remaining.set(p.id, new Set(p.steps.filter((s) => !done.has(s))));
  }

  async starting(node: IrNode): Promise<void> {
    if (this.startedAt.has(node.phase)) return;
    this.startedAt.set(node.phase, this.clock.now());
    await this.events.emit('phase:start', { phaseId: node.phase });
  }

  /** Starts a phase before its first step: `finally` is journaled with the outcome it runs after. */
  async begin(phaseId: string, extra: { runStatus: RunStatus; failed: string[] }): Promise<void> {
    this.startedAt.set(phaseId, this.clock.now());
    await this.events.emit('phase:start', { phaseId, ...extra });
  }

  async ended(node: IrNode): Promise<void> {
    const left = this.remaining.get(node.phase)!;
    left.delete(node.id);
    if (left.size > 0) return;
    const phase = this.graph.phases.find((p) => p.id === node.phase)!;
    await this.events.emit('phase:end', {
      phaseId: phase.id,
      durationMs: this.clock.now() - (this.startedAt.get(phase.id) ?? this.clock.now()),
      ...(phase.budgetMs !== undefined ? { budgetMs: phase.budgetMs } : {}),
    });
  }
}
