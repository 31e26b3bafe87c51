import type { AuditSigVerifier } from './audit-key.js';

/**
 * Checks that sit outside the chain: heads published where the writer cannot rewrite them
 * (anchors), and record signatures (an audit key). A writer who recomputed every hash, or
 * invented the whole log, passes the chain but not these.
 */

/** A chain head published elsewhere; `from` says where, for the message. */
export interface PublishedAnchor {
  readonly seq?: number;
  readonly hash: string;
  readonly from?: string;
}

/** What these checks read of a record. */
type Linked = { readonly seq: number; readonly hash: string; readonly sig?: string };

/** A finding of these checks, located by record index (or after the last record). */
export interface OutsideFinding {
  readonly kind: 'anchor-mismatch' | 'unsigned' | 'bad-signature';
  /** Index of the record concerned; undefined when no record is (a missing anchored one). */
  readonly index?: number;
  readonly seq: number;
  readonly reason: string;
}

/** One finding per anchor the log does not contain. */
export function checkAnchors(records: readonly Linked[], anchors: readonly PublishedAnchor[]): OutsideFinding[] {
  const out: OutsideFinding[] = [];
  for (const a of anchors) {
    const from = a.from ? ` (from ${a.from})` : '';
    if (a.seq === undefined) {
      if (!records.some((r) => r.hash === a.hash))
        out.push({
          kind: 'anchor-mismatch',
          seq: 0,
          reason: `no record has the anchored hash ${a.hash}${from}: the log was rewritten or invented`,
        });
      continue;
    }
    const i = records.findIndex((r) => r.seq === a.seq);
    if (i < 0) {
      const last = records.at(-1)?.seq ?? 0;
      out.push({
        kind: 'anchor-mismatch',
        seq: a.seq,
        reason: `anchored record ${a.seq} is missing: the log stops at seq ${last}, but a head was published at seq ${a.seq}${from} (log truncated)`,
      });
    } else if (records[i].hash !== a.hash) {
      out.push({
        kind: 'anchor-mismatch',
        index: i,
        seq: a.seq,
        reason: `chain head at seq ${a.seq} is ${records[i].hash}, published anchor says ${a.hash}${from}: the log was rewritten or invented`,
      });
    }
  }
  return out;
}

/** One finding per record that is unsigned or whose signature the key does not confirm. */
export function checkSignatures(records: readonly Linked[], key: AuditSigVerifier): OutsideFinding[] {
  const out: OutsideFinding[] = [];
  records.forEach((r, index) => {
    const why = key.check(r.hash, r.sig);
    if (why === undefined) return;
    out.push(
      why === 'unsigned'
        ? {
            kind: 'unsigned',
            index,
            seq: r.seq,
            reason: `record ${r.seq} is unsigned, but an ${key.kind} audit key is configured (added or rewritten without the key)`,
          }
        : {
            kind: 'bad-signature',
            index,
            seq: r.seq,
            reason: `record ${r.seq}: ${why} (${key.kind}): rewritten without the key`,
          },
    );
  });
  return out;
}
