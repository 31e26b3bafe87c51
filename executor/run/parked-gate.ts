import type { AuditRecord } from '../audit/record.js';
import type { ParkedRequest } from '../core/parked.js';
import { commentIdOf } from '../github/gate-park.js';
import type { RunState } from '../run-state/state.js';

type Grant = ParkedRequest['grants'][number];

/**
 * The gate a parked run waits at, as its resume continues it: the request and deadline from the
 * last run:parked, the run's initiator from run:start, and the grants journaled for the step since
 * its last approval:requested (less those withdrawn since: an edited or deleted comment). Undefined
 * when the run is not parked, or parked without a GitHub request to continue. A resume that was
 * itself killed before the gate was answered or parked again (its run:resume cleared `parked`)
 * continues the same request: `openPark` is kept until the gate's step ends.
 */
export function parkedGateOf(records: readonly AuditRecord[], run: RunState): ParkedRequest | undefined {
  const p = run.parked ?? run.openPark;
  if (!p?.request || !run.start) return undefined;
  const grants = new Map<number, Grant>();
  for (const r of records) {
    if (r.stepId !== undefined && r.stepId !== p.stepId) continue;
    if (r.type === 'approval:requested' && r.data.stepId === p.stepId) grants.clear();
    if (r.type === 'approval:granted' && r.data.stepId === p.stepId) {
      const id = commentIdOf(r.data.approval.reference);
      const sha = r.data.approval.textSha256;
      if (id !== undefined)
        grants.set(id, { approver: r.data.approval.approver, commentId: id, ...(sha ? { textSha256: sha } : {}) });
    }
    if (r.type === 'approval:refused' && r.data.stepId === p.stepId && r.data.reason.endsWith('approval withdrawn'))
      for (const [id, g] of grants) if (g.approver === r.data.approver) grants.delete(id);
  }
  return {
    stepId: p.stepId,
    commentId: p.request.commentId,
    createdAt: p.request.createdAt,
    bot: p.request.bot,
    judged: p.request.judged,
    ...(p.deadline ? { deadline: p.deadline } : {}),
    initiator: run.start.initiator,
    grants: [...grants.values()],
    ...(p.trackingIssue ? { trackingIssue: p.trackingIssue } : {}),
  };
}
