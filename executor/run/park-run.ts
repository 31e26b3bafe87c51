import type { IrGraph } from '../../ir/types.js';
import type { AuditRecord } from '../audit/record.js';
import { approverNames } from '../github/gate-park.js';
import type { EventSink } from '../core/events.js';
import type { GatePark } from '../core/parked.js';
import { runLockKey } from './run-lock.js';

/**
 * Journals `run:parked` as the run's last record (after every step that was still running ended):
 * the gate's request and grants so far, the run's tracking issue (where `/approve` resumes it) and
 * its concurrency key (no other run of that key starts while it is parked, see run-lock.ts).
 */
export async function journalPark(
  audit: EventSink,
  park: GatePark,
  graph: IrGraph,
  trackingIssue: { readonly number: number; readonly url: string } | undefined,
): Promise<void> {
  await audit.emit('run:parked', {
    ...park,
    lockKey: runLockKey(graph),
    ...(trackingIssue ? { trackingIssue: { number: trackingIssue.number, url: trackingIssue.url } } : {}),
  });
}

/**
 * "waiting for approval of <step>", who can approve (the Directory's names) and the exact command,
 * for the terminal and the job summary; undefined unless the run's last record is run:parked.
 */
export function parkedSummary(records: readonly AuditRecord[], graph: IrGraph, planHash: string): string | undefined {
  const last = records.at(-1);
  if (last?.type !== 'run:parked') return undefined;
  const park = last.data;
  const where = park.trackingIssue ? ` on ${park.trackingIssue.url}` : ' on the tracking issue';
  return [
    `waiting for approval of ${park.stepId}: run ${last.runId} is parked with ${park.granted} of ${park.required} approval(s); no runner is held`,
    `who can approve: ${approverNames(park.approvers, graph.resources.approvers)}`,
    `approve with a new comment${where}: /approve ${park.stepId} ${planHash.slice(0, 12)}`,
    park.deadline ? `deadline: ${park.deadline} (a later approval is refused)` : 'deadline: none',
  ].join('\n');
}
