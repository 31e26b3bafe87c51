import { setMaxListeners } from 'node:events';
import type { FailurePolicy, IrGraph, IrNode } from '../../ir/types.js';
import type { Clock } from '../core/clock.js';
import type { ActionErrorCode } from '../core/action-error-codes.js';
import { errorCodeOf, isRetryable, RunCancelled } from '../core/errors.js';
import type { EventSink, RunStatus, StepStatus } from '../core/events.js';
import { messageOf, runAttempt, statusOf } from './attempt.js';
import { retryDelay } from './backoff.js';
import { rollBack } from './rollback.js';
import type { StepRunner } from './step-runner.js';
import { isGate } from '../../common/actions-catalog/index.js';
import { GateParked, type GatePark } from '../core/parked.js';

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
  /** A gate parked the run (status `interrupted`, no `finally`): the run journals run:parked, not run:end. */
  readonly parked?: GatePark;
}

/**
 * Runs a step graph as fast as its dependencies allow. Phases are already edges in the IR, so
 * the scheduler only follows `needs`. Failure policy: `continue` records the failure and goes on;
 * `abort` and `rollback` start nothing new, let running steps finish (a half-done DNS switch must
 * not be killed), then `rollback` compensates completed steps in reverse completion order.
 */
export async function runGraph(options: SchedulerOptions): Promise<SchedulerResult> {
  const limit = Math.max(1, options.concurrency ?? 8);
  // Every running attempt listens to the run's signal; without this Node warns above 10 of them.
  setMaxListeners(limit + 10, options.signal);
  const run = new GraphRun(options, limit);
  let status: RunStatus = options.phasesEnded?.status ?? 'succeeded';
  let incomplete: SchedulerResult['rollback'];
  if (!options.phasesEnded) ({ status, incomplete } = await run.runPhases());
  status = await run.runFinally(status);
  return run.result(status, incomplete);
}

/** The state of one runGraph call: which steps ended how, which run, and whether to stop. */
class GraphRun {
  private readonly started: number;
  private readonly states = new Map<string, StepState>();
  /** Succeeded steps in completion order (rollback undoes them in reverse). */
  private readonly completion: string[] = [];
  private readonly tracker: PhaseTracker;
  private readonly running = new Map<string, Promise<void>>();
  private stopping: { policy: FailurePolicy; reason: string } | undefined;
  private recoveredAtMs: number | undefined;
  private finallyFailed = false;
  private parked: GatePark | undefined;

  constructor(
    private readonly options: SchedulerOptions,
    private readonly limit: number,
  ) {
    const { graph, runner, events, clock } = options;
    this.started = clock.now();
    // By id (the first of an id, as `find` gave): a resume restores thousands of steps, and a
    // `find` per step was quadratic (75 ms of a 10,000-step resume; the bench's resume figure).
    const nodeById = new Map<string, IrNode>();
    for (const n of graph.nodes) if (!nodeById.has(n.id)) nodeById.set(n.id, n);
    for (const [id, r] of options.restored ?? []) {
      this.states.set(id, { status: r.status, outputs: r.outputs, endedAt: this.started });
      if (r.status === 'succeeded') this.completion.push(id);
      const node = nodeById.get(id);
      if (node) runner.record(node, r.status, r.outputs);
    }
    this.tracker = new PhaseTracker(graph, events, clock, this.states);
  }

  // Phase steps that failed before a kill during `finally` are not in `restored` (a resume would
  // run them again): the journal's `phase:start finally` names them.
  private failedSoFar(): string[] {
    return [
      ...new Set([
        ...(this.options.phasesEnded?.failed ?? []),
        ...[...this.states].filter(([, s]) => s.status === 'failed' || s.status === 'timed-out').map(([id]) => id),
      ]),
    ];
  }

  private finish(node: IrNode, state: StepState): void {
    const { graph, runner } = this.options;
    this.states.set(node.id, state);
    runner.record(node, state.status, state.outputs, state.error);
    if (state.status === 'succeeded') this.completion.push(node.id);
    if (node.recovery && state.status === 'succeeded') this.recoveredAtMs = state.endedAt - this.started;
    if (node.finally) {
      // A failing finally step fails the run; the other finally steps still run.
      if (state.status === 'failed' || state.status === 'timed-out') {
        this.finallyFailed = true;
        runner.recordRun?.('failed', this.failedSoFar());
      }
    } else if (state.status === 'failed' || state.status === 'timed-out') {
      const policy = node.onFailure ?? graph.onFailure;
      if (policy !== 'continue' && !this.stopping)
        this.stopping = { policy, reason: `step ${node.id} ${state.status}: ${state.error ?? ''}`.trim() };
    }
  }

  private async execute(node: IrNode): Promise<void> {
    await this.tracker.starting(node);
    const state = await executeNode(node, this.options);
    // A parked gate's step has not ended: it continues when the run is resumed.
    if (state.parked) return void (this.parked ??= state.parked);
    this.finish(node, state);
    await this.options.events.emit('step:end', {
      stepId: node.id,
      attempt: state.attempts,
      status: state.status,
      durationMs: state.durationMs,
      ...(Object.keys(state.outputs).length ? { outputs: state.outputs } : {}),
      ...(state.error ? { error: state.error } : {}),
      ...(state.code ? { code: state.code } : {}),
      ...(state.reason ? { reason: state.reason } : {}),
    });
    await this.tracker.ended(node);
  }

  /** Starts every ready step (up to the limit) until `halted`, then waits for the running ones. */
  private async drive(nodes: readonly IrNode[], halted: () => boolean): Promise<void> {
    const { states, running } = this;
    for (;;) {
      if (!halted()) {
        for (const node of nodes) {
          if (running.size >= this.limit) break;
          if (states.has(node.id) || running.has(node.id)) continue;
          if (!node.needs.every((d) => states.has(d))) continue;
          const p = this.execute(node).finally(() => running.delete(node.id));
          running.set(node.id, p);
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  }

  /** The phase steps, then the failure policy: the run's status before `finally`. */
  async runPhases(): Promise<{ status: RunStatus; incomplete?: SchedulerResult['rollback'] }> {
    const { graph, runner, events, clock, signal } = this.options;
    runner.recordRun?.('running', []);
    await this.drive(
      graph.nodes.filter((n) => !n.finally),
      () => !!this.stopping || signal.aborted || !!this.parked,
    );
    if (signal.aborted || this.parked) return { status: 'interrupted' };
    if (this.stopping?.policy === 'rollback') {
      const outcome = await rollBack({
        graph,
        runner,
        events,
        clock,
        signal,
        completion: [...this.completion],
        reason: this.stopping.reason,
      });
      // `rolled-back` promises every reversible step was undone; anything less says so.
      if (!outcome.notUndone.length) return { status: 'rolled-back' };
      const incomplete = { notUndone: outcome.notUndone, reason: outcome.reason ?? outcome.status };
      return { status: 'rollback-incomplete', incomplete };
    }
    return { status: this.stopping ? 'failed' : 'succeeded' };
  }

  // An interrupted run is not over (it is resumable): cleanup now would destroy what the resume
  // needs, so finally steps run when the resumed run's phases end. See docs/format-reference.md.
  async runFinally(status: RunStatus): Promise<RunStatus> {
    const { graph, runner, signal } = this.options;
    const finals = graph.nodes.filter((n) => n.finally);
    if (!finals.length || status === 'interrupted') return status;
    const failed = this.failedSoFar();
    runner.recordRun?.(status, failed);
    await this.tracker.begin('finally', { runStatus: status, failed });
    await this.drive(finals, () => signal.aborted);
    if (signal.aborted) return 'interrupted';
    return this.finallyFailed ? 'failed' : status;
  }

  result(status: RunStatus, incomplete: SchedulerResult['rollback']): SchedulerResult {
    const { states, recoveredAtMs } = this;
    const notStarted = this.options.graph.nodes.filter((n) => !states.has(n.id)).map((n) => n.id);
    const failed = this.failedSoFar();
    return {
      status,
      steps: states,
      recoveredAtMs,
      failed,
      notStarted,
      ...(incomplete ? { rollback: incomplete } : {}),
      ...(this.parked ? { parked: this.parked } : {}),
    };
  }
}

interface NodeOutcome extends StepState {
  attempts: number;
  durationMs: number;
  /** What the failure's error was (executor/core/action-error-codes.ts), for `step:end`. */
  code?: ActionErrorCode;
  reason?: string;
  parked?: GatePark;
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
    return done('failed', 0, { error: `if: ${messageOf(e)}`, code: errorCodeOf(e) });
  }
  if (node.approval && !isGate(node.uses)) {
    try {
      await runner.gate(node, signal);
    } catch (e) {
      if (e instanceof GateParked) return done('cancelled', 0, { parked: e.park });
      return done(statusOf(e), 0, { error: messageOf(e), code: errorCodeOf(e), reason: 'approval gate' });
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
      if (e instanceof GateParked) return done('cancelled', attempt, { parked: e.park });
      const status = statusOf(e);
      const error = messageOf(e);
      const code = errorCodeOf(e);
      if (status === 'cancelled' || signal.aborted) return done('cancelled', attempt, { error, code });
      if (attempt >= attempts || !isRetryable(e)) return done(status, attempt, { error, code });
      const delayMs = retryDelay(node.retry!, attempt, options.random);
      await events.emit('step:retry', { stepId: node.id, attempt, error, code, delayMs });
      try {
        await clock.sleep(delayMs, signal);
      } catch {
        const cancelled = new RunCancelled('run cancelled during retry delay');
        return done('cancelled', attempt, { error: cancelled.message, code: 'cancelled' });
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
