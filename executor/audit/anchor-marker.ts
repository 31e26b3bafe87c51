import type { AuditRecord } from './record.js';

/**
 * The fixed, machine-readable form of a published chain head: an HTML comment, invisible when
 * GitHub renders Markdown (job summary, issue comment) but kept in the text the API returns,
 * next to a visible `SEQ:HASH` a person can copy into `audit verify --anchor`.
 *
 *   <!-- runbook-audit-head run=<run id> seq=<n> hash=<64 hex> -->
 */

/** A head as published: the record's seq and hash, and the event it was published after. */
export interface PublishedHead {
  readonly seq: number;
  readonly hash: string;
  readonly type?: string;
}

/** Events after which a run publishes its head: a gate (the run pauses for people) and the end. */
export const anchorEvents: ReadonlySet<string> = new Set(['approval:requested', 'run:end']);

/** The head after `record`. */
export function headOf(record: Pick<AuditRecord, 'seq' | 'hash' | 'type'>): PublishedHead {
  return { seq: record.seq, hash: record.hash, type: record.type };
}

/** The hidden marker of one head. */
export function headMarker(runId: string, head: PublishedHead): string {
  return `<!-- runbook-audit-head run=${runId} seq=${head.seq} hash=${head.hash} -->`;
}

/** One Markdown line: the visible head and its marker. */
export function headLine(runId: string, head: PublishedHead): string {
  return `Audit chain head${head.type ? ` after \`${head.type}\`` : ''}: \`${head.seq}:${head.hash}\` ${headMarker(runId, head)}`;
}

const markerRe = /<!-- runbook-audit-head run=(\S+) seq=(\d+) hash=([0-9a-f]{64}) -->/g;

/** Every head of `runId` marked in `text` (others' runs are ignored). */
export function parseHeadMarkers(text: string, runId: string): PublishedHead[] {
  return [...text.matchAll(markerRe)].filter((m) => m[1] === runId).map((m) => ({ seq: Number(m[2]), hash: m[3] }));
}

/** The job summary's section: the head at the run's end, to compare any later copy against. */
export function renderAnchorMarkdown(runId: string, head: PublishedHead): string {
  return `### Audit chain head\n\n${headLine(runId, head)}\n\nCheck a copy of the log with \`runbook audit verify ${runId} --anchor ${head.seq}:${head.hash}\`.\n`;
}
