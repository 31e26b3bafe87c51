import { formatDuration } from '../../ir/duration.js';
import type { IrUpdate } from '../../ir/types.js';
import type { EventSink, RunEvents } from '../core/events.js';
import type { RunProgress } from './run-progress.js';

export interface UpdateTimerOptions {
  readonly updates: readonly IrUpdate[];
  readonly events: EventSink;
  readonly progress: () => RunProgress;
  /**
   * Sends one update through the `notify` action, as a notify step would (LiveRunner.notifyOutside):
   * resolves to the action's result, or to its plan in a dry run; throws when a delivery failed.
   */
  readonly send: (params: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>;
  /** The run's signal: an interrupted run aborts an update in flight. */
  readonly signal: AbortSignal;
  readonly mask: (text: string) => string;
}

export interface UpdateTimer {
  /** Stops every cadence, then waits for updates in flight (and their `run:update`) to finish. */
  stop(): Promise<void>;
}

/**
 * The timer of `spec.updates`, owned by one run (or one part of it: a resume starts a new timer,
 * so the cadence restarts from the resume; a parked run has no runner and sends nothing). Each
 * entry ticks every `everyMs`, the first tick one interval after the start. A tick whose previous
 * update is still being sent (a slow relay) is skipped rather than queued: updates never pile up.
 */
export function startUpdates(o: UpdateTimerOptions): UpdateTimer {
  const inflight = new Set<Promise<void>>();
  let stopped = false;
  const timers = o.updates.map((update) => {
    let sequence = 0;
    let busy = false;
    return cadence(update.everyMs, () => {
      if (stopped || busy) return;
      busy = true;
      const sending: Promise<void> = sendUpdate(o, update, ++sequence)
        // A journal that cannot be written fails the run's own next record; the timer stays quiet.
        .catch(() => undefined)
        .finally(() => {
          busy = false;
          inflight.delete(sending);
        });
      inflight.add(sending);
    });
  });
  return {
    async stop() {
      stopped = true;
      for (const t of timers) t.stop();
      await Promise.allSettled([...inflight]);
    },
  };
}

/**
 * Calls `tick` at start + k × `everyMs` (k = 1, 2 …) on a monotonic clock. Unlike setInterval,
 * which re-arms from when its callback ran, late ticks do not push the later ones back (no drift
 * over a long incident); a tick missed entirely (the process was blocked past it) is dropped, not
 * fired in a burst.
 */
function cadence(everyMs: number, tick: () => void): { stop(): void } {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let k = 0;
  const arm = () => {
    // At least the next k: a timer that fires a fraction of a millisecond early must not repeat a tick.
    k = Math.max(k + 1, Math.floor((performance.now() - start) / everyMs) + 1);
    timer = setTimeout(
      () => {
        tick();
        arm();
      },
      Math.max(0, start + k * everyMs - performance.now()),
    );
  };
  arm();
  return { stop: () => clearTimeout(timer) };
}

type UpdateOutcome = Pick<RunEvents['run:update'], 'status' | 'deliveries' | 'calls' | 'error'>;

/** Sends one update with the progress as Template variables (the entry's `vars` win), then journals it. */
async function sendUpdate(o: UpdateTimerOptions, update: IrUpdate, sequence: number): Promise<void> {
  const p = o.progress();
  const vars = {
    phase: p.phase ?? '',
    steps_done: p.stepsDone,
    steps_total: p.stepsTotal,
    elapsed: formatDuration(p.elapsedMs),
    next_update: `in ${formatDuration(update.everyMs)}`,
    ...update.vars,
  };
  let outcome: UpdateOutcome;
  try {
    outcome = outcomeOf(await o.send({ template: update.template, audience: [...update.audience], vars }, o.signal));
  } catch (error) {
    outcome = { status: 'failed', error: o.mask(error instanceof Error ? error.message : String(error)) };
  }
  await o.events.emit('run:update', {
    template: update.template,
    audience: [...update.audience],
    sequence,
    ...(p.phase !== undefined ? { phase: p.phase } : {}),
    stepsDone: p.stepsDone,
    stepsTotal: p.stepsTotal,
    elapsedMs: p.elapsedMs,
    ...outcome,
  });
}

/** A dry run's plan becomes "would send" to its targets; a real result lists its deliveries. */
function outcomeOf(result: unknown): UpdateOutcome {
  const r = result as {
    dryRun?: boolean;
    plan?: { calls?: { target: string }[] };
    deliveries?: { audience: string; channel: string; status: string; reason?: string }[];
  };
  if (r?.dryRun) return { status: 'would-send', calls: (r.plan?.calls ?? []).map((c) => c.target) };
  const deliveries = (r?.deliveries ?? []).map(({ audience, channel, status, reason }) => ({
    audience,
    channel,
    status,
    ...(reason !== undefined ? { reason } : {}),
  }));
  return { status: 'sent', deliveries };
}
