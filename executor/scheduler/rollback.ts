import type { IrGraph } from '../../ir/types.js';
import type { Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import { messageOf, statusOf, withSignal } from './attempt.js';
import type { StepRunner } from './step-runner.js';

/**
 * How a rollback ended. `notUndone`: the completed steps with a `rollback:` that are still in
 * place, and `reason` why (both empty when every one was undone).
 */
export interface RollbackOutcome {
  readonly status: 'complete' | 'stopped-at-irreversible' | 'failed';
  readonly notUndone: string[];
  readonly reason?: string;
}

/**
 * Compensates completed steps in reverse completion order. An irreversible step is a point of no
 * return: rollback stops there, leaving it and everything before it in place. A failing
 * compensation stops the rollback too — compensating further on top of an unknown state is how
 * outages get worse — and is reported as such. The run is `rolled-back` only when no reversible
 * step is left in place (the scheduler reads `notUndone`), else `rollback-incomplete`.
 */
export async function rollBack(o: {
  graph: IrGraph;
  runner: StepRunner;
  events: EventSink;
  clock: Clock;
  signal: AbortSignal;
  completion: string[];
  reason: string;
}): Promise<RollbackOutcome> {
  const byId = new Map(o.graph.nodes.map((n) => [n.id, n]));
  const order = [...o.completion].reverse();
  const reversible = (ids: string[]) => ids.filter((id) => byId.get(id)?.rollback);
  await o.events.emit('rollback:start', { reason: o.reason, steps: reversible(order) });
  const end = async (outcome: RollbackOutcome, stoppedAt?: string): Promise<RollbackOutcome> => {
    await o.events.emit('rollback:end', {
      status: outcome.status,
      ...(stoppedAt ? { stoppedAt } : {}),
      ...(outcome.notUndone.length ? { notUndone: outcome.notUndone, reason: outcome.reason } : {}),
    });
    return outcome;
  };
  for (const [i, id] of order.entries()) {
    const node = byId.get(id)!;
    if (node.irreversible) {
      const left = reversible(order.slice(i));
      return end(
        { status: 'stopped-at-irreversible', notUndone: left, reason: `stopped at irreversible step ${id}` },
        id,
      );
    }
    const body = node.rollback;
    if (!body) continue;
    // Journal first, as for a step: a resume must know this compensation may have begun.
    await o.events.emit('rollback:compensate', { stepId: id });
    try {
      await withSignal((signal) => o.runner.compensate(node, body, signal), body.timeoutMs, o.clock, o.signal);
      await o.events.emit('rollback:step', { stepId: id, status: 'succeeded' });
    } catch (e) {
      await o.events.emit('rollback:step', { stepId: id, status: statusOf(e), error: messageOf(e) });
      return end(
        {
          status: 'failed',
          notUndone: reversible(order.slice(i)),
          reason: `rollback of ${id} failed: ${messageOf(e)}`,
        },
        id,
      );
    }
  }
  return end({ status: 'complete', notUndone: [] });
}
