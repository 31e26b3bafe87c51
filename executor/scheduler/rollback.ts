import type { IrGraph } from '../../ir/types.js';
import type { Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import { messageOf, statusOf, withSignal } from './attempt.js';
import type { StepRunner } from './step-runner.js';

/**
 * Compensates completed steps in reverse completion order. An irreversible step is a point of no
 * return: rollback stops there, leaving it and everything before it in place. A failing
 * compensation stops the rollback too — compensating further on top of an unknown state is how
 * outages get worse — and is reported as such.
 */
export async function rollBack(o: {
  graph: IrGraph; runner: StepRunner; events: EventSink; clock: Clock; signal: AbortSignal; completion: string[]; reason: string;
}): Promise<'complete' | 'stopped-at-irreversible' | 'failed'> {
  const byId = new Map(o.graph.nodes.map((n) => [n.id, n]));
  const order = [...o.completion].reverse();
  await o.events.emit('rollback:start', { reason: o.reason, steps: order.filter((id) => byId.get(id)?.rollback) });
  for (const id of order) {
    const node = byId.get(id)!;
    if (node.irreversible) {
      await o.events.emit('rollback:end', { status: 'stopped-at-irreversible', stoppedAt: id });
      return 'stopped-at-irreversible';
    }
    const body = node.rollback;
    if (!body) continue;
    try {
      await withSignal((signal) => o.runner.compensate(node, body, signal), body.timeoutMs, o.clock, o.signal);
      await o.events.emit('rollback:step', { stepId: id, status: 'succeeded' });
    } catch (e) {
      await o.events.emit('rollback:step', { stepId: id, status: statusOf(e), error: messageOf(e) });
      await o.events.emit('rollback:end', { status: 'failed', stoppedAt: id });
      return 'failed';
    }
  }
  await o.events.emit('rollback:end', { status: 'complete' });
  return 'complete';
}
