import type { IrGraph } from '../../ir/types.js';
import type { EventSink, StepStatus } from '../core/events.js';
import type { Restored } from './resume-nested.js';

/** Where a run stands, for recurring updates: the current phase, steps done of all, time elapsed. */
export interface RunProgress {
  readonly phase?: string;
  readonly stepsDone: number;
  readonly stepsTotal: number;
  readonly elapsedMs: number;
}

/** A step that ended this way is behind the run: it will not run again in this run. */
const DONE: ReadonlySet<StepStatus> = new Set(['succeeded', 'skipped', 'failed']);

/**
 * Wraps the run's sink: every event still goes to `inner` (same order, same await), and the
 * progress is read off the events on the way (phase:start, step:end of this graph's own steps;
 * a nested runbook's steps, prefixed `<runbook>/`, count as its one calling step). Steps a resume
 * restored as succeeded or skipped count as done from the start.
 */
export function trackProgress(
  inner: EventSink,
  graph: IrGraph,
  now: () => number,
  restored: Restored | undefined,
): { sink: EventSink; progress(): RunProgress } {
  const started = now();
  const own = new Set(graph.nodes.map((n) => n.id));
  const titles = new Map(graph.phases.map((p) => [p.id, p.title]));
  const done = new Set([...(restored ?? [])].filter(([id, s]) => own.has(id) && DONE.has(s.status)).map(([id]) => id));
  let phase: string | undefined;
  const sink: EventSink = {
    async emit(type, data) {
      if (type === 'phase:start') {
        const id = (data as { phaseId: string }).phaseId;
        phase = titles.get(id) ?? id;
      } else if (type === 'step:end') {
        const { stepId, status } = data as { stepId: string; status: StepStatus };
        if (own.has(stepId) && DONE.has(status)) done.add(stepId);
      }
      return inner.emit(type, data);
    },
  };
  const progress = (): RunProgress => ({
    ...(phase !== undefined ? { phase } : {}),
    stepsDone: done.size,
    stepsTotal: own.size,
    elapsedMs: now() - started,
  });
  return { sink, progress };
}
