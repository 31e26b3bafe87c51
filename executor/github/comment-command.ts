/** A gate command found in an issue comment. */
export type GateCommand =
  | { readonly kind: 'approve'; readonly step: string; readonly planPrefix?: string }
  | { readonly kind: 'reject'; readonly step: string; readonly reason: string };

/**
 * The first `/approve <step> [plan-hash-prefix]` or `/reject <step> <reason>` line of a comment.
 * Quoted lines (`> /approve …`, as GitHub's "Quote reply" makes them) are not commands: quoting
 * someone's approval must not count as approving.
 */
export function parseGateCommand(body: string): GateCommand | undefined {
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    const approve = /^\/approve\s+(\S+)(?:\s+(\S+))?\s*$/.exec(line);
    if (approve) return { kind: 'approve', step: approve[1], ...(approve[2] ? { planPrefix: approve[2] } : {}) };
    const reject = /^\/reject\s+(\S+)(?:\s+(.+))?$/.exec(line);
    if (reject) return { kind: 'reject', step: reject[1], reason: reject[2]?.trim() || '(no reason given)' };
  }
  return undefined;
}

/** Shortest plan-hash prefix accepted in `/approve`: long enough not to match by chance. */
export const MIN_PLAN_PREFIX = 7;

/** Why a `/approve` plan-hash prefix does not bind to this plan, or undefined when it does. */
export function planPrefixProblem(prefix: string | undefined, planHash: string, required: boolean): string | undefined {
  if (prefix === undefined)
    return required ? `the approval must name the plan hash: /approve <step> ${planHash.slice(0, 12)}` : undefined;
  const p = prefix.toLowerCase();
  if (!/^[0-9a-f]+$/.test(p) || p.length < MIN_PLAN_PREFIX)
    return `"${prefix}" is not a plan hash prefix (${MIN_PLAN_PREFIX}+ hex characters)`;
  return planHash.startsWith(p) ? undefined : `approved plan ${p}, but this run's plan is ${planHash.slice(0, 12)}`;
}

/** Marker of a gate's request comment, so a resumed run can tell its requests apart. */
export const approvalRequestMarker = (runId: string, stepId: string, planHash: string): string =>
  `<!-- runbook-approval run=${runId} step=${stepId} plan=${planHash} -->`;

/** The request comment: what is asked, by whom, bound to which plan, and how to answer. */
export function approvalRequestBody(o: {
  runId: string;
  stepId: string;
  planHash: string;
  message: string;
  approvers: readonly string[];
  required: number;
  selfApproval: boolean;
  initiator: string;
  timeoutMs?: number;
}): string {
  const who = o.approvers.length ? o.approvers.join(', ') : 'any collaborator';
  const self = o.selfApproval
    ? ''
    : ` (not ${o.initiator.startsWith('@') ? o.initiator : `@${o.initiator}`}, who started the run)`;
  return [
    approvalRequestMarker(o.runId, o.stepId, o.planHash),
    `### 🔐 Approval needed: \`${o.stepId}\``,
    '',
    o.message,
    '',
    `- **Plan hash:** \`${o.planHash}\``,
    `- **Needs:** ${o.required} approval(s) from ${who}${self}`,
    ...(o.timeoutMs !== undefined ? [`- **Times out:** ${formatDuration(o.timeoutMs)} after this comment`] : []),
    '',
    'Answer with a new comment (editing it withdraws it: post a new one instead):',
    '```',
    `/approve ${o.stepId} ${o.planHash.slice(0, 12)}`,
    `/reject ${o.stepId} <reason>`,
    '```',
  ].join('\n');
}

/** `90000` → `1m 30s`: for people reading a comment, not for parsing. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts = [
    [Math.floor(s / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ] as const;
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, u]) => `${n}${u}`)
      .join(' ') || `${ms}ms`
  );
}
