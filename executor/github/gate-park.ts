import { defaultParkAfterMs, type GatePark } from '../core/parked.js';
export type { ParkedRequest } from '../core/parked.js';
import { formatDuration } from './comment-command.js';

/** The comment id of a grant's reference (`…#issuecomment-123`), or undefined. */
export function commentIdOf(reference: string | undefined): number | undefined {
  const m = /#issuecomment-(\d+)$/.exec(reference ?? '');
  // A review's id is negated, as the comment gate keys it (review-reader.ts).
  const review = /#pullrequestreview-(\d+)$/.exec(reference ?? '');
  return m ? Number(m[1]) : review ? -Number(review[1]) : undefined;
}

/** When a gate parks: `parkAfterMs` after it started waiting, or at once for a resumed parked gate. */
export function parkTime(o: { canPark: boolean; resumed: boolean; parkAfterMs?: number; now: number }): number {
  if (!o.canPark) return Infinity;
  return o.resumed ? o.now : o.now + (o.parkAfterMs ?? defaultParkAfterMs);
}

/**
 * Who may approve, for people: each approver entry, a team with its members from the Directory
 * (`@acme/sre-leads (@ann, @bob)`), or "any collaborator with write access".
 */
export function approverNames(
  approvers: readonly string[],
  members?: Readonly<Record<string, readonly string[]>>,
): string {
  if (!approvers.length) return 'any collaborator with write access';
  return approvers
    .map((a) => {
      const team = members?.[a] ?? members?.[a.replace(/^@/, '')];
      return a.includes('/') && team?.length ? `${a} (${team.map((m) => `@${m.replace(/^@/, '')}`).join(', ')})` : a;
    })
    .join(', ');
}

/** The note on the tracking issue when the run parks: why, who can approve, the exact command. */
export function parkedNote(
  park: GatePark,
  o: { planHash: string; initiator: string; selfApproval: boolean; who: string },
): string {
  const self = o.selfApproval ? '' : ` (not @${o.initiator.replace(/^@/, '')}, who started the run)`;
  return [
    `### ⏸️ Run parked: waiting for approval of \`${park.stepId}\``,
    '',
    `Nobody is holding a runner: the run continues on a new one when an approver answers.`,
    '',
    `- **Needs:** ${park.required} approval(s), ${park.granted} given so far`,
    `- **Who can approve:** ${o.who}${self}`,
    park.deadline ? `- **Deadline:** ${park.deadline} (a later approval is refused)` : '- **Deadline:** none',
    `- **Parked after:** ${formatDuration(park.parkAfterMs)} of waiting`,
    '',
    'Approve (or reject) with a new comment on this issue:',
    '```',
    `/approve ${park.stepId} ${o.planHash.slice(0, 12)}`,
    `/reject ${park.stepId} <reason>`,
    '```',
  ].join('\n');
}
