import { formatDuration } from '../../../ir/duration.js';
import type { IrApproval, RtoStatus } from '../../../ir/types.js';

/** Small value formatters shared by the pages; an absent value prints as an em dash. */

export const none = '—';

export function duration(ms: number | undefined): string {
  return ms === undefined ? none : formatDuration(ms);
}

export function yesNo(value: boolean | undefined): string {
  return value ? 'yes' : 'no';
}

/** A scalar as an author would write it in YAML; objects as compact JSON. */
export function scalar(value: unknown): string {
  if (value === undefined) return none;
  // An empty string would print as empty inline code (two backticks); show it as "".
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}

const statusIcons: Record<RtoStatus, string> = { ok: '✅', 'worst-case-over': '⚠️', over: '❌' };
const statusWords: Record<RtoStatus, string> = { ok: 'within', 'worst-case-over': 'worst case over', over: 'over' };

/** `✅ within` / `⚠️ worst case over` / `❌ over`: the icon carries it on the wiki, the word in diffs. */
export function rtoStatus(status: RtoStatus): string {
  return `${statusIcons[status]} ${statusWords[status]}`;
}

/**
 * The status against a limit (a phase's budget, the runbook's RTO), or `—` without one: the
 * analysis calls a figure with no limit "ok", and "✅ within" nothing would mislead the reader.
 */
export function rtoStatusAgainst(limitMs: number | undefined, status: RtoStatus): string {
  return limitMs === undefined ? none : rtoStatus(status);
}

/** The first 12 hex digits, like a short git hash: enough to compare with an approval. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** `2 of @acme/sre-leads, @jane · initiator may not approve · times out after 30m`. */
export function approvalPolicy(a: IrApproval): string {
  const who = a.approvers.length ? a.approvers.join(', ') : 'any allowed approver';
  const parts = [`${a.required} of ${who}`, a.selfApproval ? 'initiator may approve' : 'initiator may not approve'];
  if (a.allowUnsigned) parts.push('unsigned local approvals accepted (recorded as unverified)');
  if (a.timeoutMs !== undefined) parts.push(`times out after ${formatDuration(a.timeoutMs)}`);
  if (a.parkAfterMs !== undefined) parts.push(`parks after ${formatDuration(a.parkAfterMs)} (with an audit database)`);
  return parts.join(' · ');
}

/** Map entries sorted by key: maps come from YAML in author order, docs must not depend on it. */
export function sortedEntries<T>(record: Readonly<Record<string, T>> | undefined): [string, T][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
