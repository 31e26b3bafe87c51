import type { AuditSigVerifier } from './audit-key.js';
import { checkAnchors, checkSignatures, type PublishedAnchor } from './check-anchors.js';
import type { AuditFileProblem } from './file-sink.js';
import { readAuditRows } from './pg-sink.js';
import { GENESIS_HASH, hashRecord, type AuditRecord } from './record.js';
import { linksOf, viewOfLinks, type ChainView } from './chain-columns.js';
import { chainOfText, type ChainFile } from './verify-file.js';
import { readChainFileInParts } from './verify-parts.js';

/**
 * Checks an audit log's hash chain. Each record is checked against the one before it, so one
 * tampering gives one finding at the record that was touched: a changed record fails its own
 * hash, a deleted one leaves a seq gap, a moved one is out of order, and an inserted one (even
 * with a recomputed hash) is betrayed by the record after it, which still chains to the
 * record before the insertion. What a chain alone cannot catch — the tail cut off, or the
 * whole tail rewritten — needs an outside anchor: the run:end record, or `anchor`.
 */

export type AuditFindingKind =
  | 'hash-mismatch'
  | 'bad-start'
  | 'seq-gap'
  | 'out-of-order'
  | 'inserted'
  | 'prev-hash-mismatch'
  | 'run-mismatch'
  | 'column-mismatch'
  | 'anchor-mismatch'
  | 'unparseable'
  | 'not-a-record'
  | 'torn-line'
  | 'torn-last-line'
  | 'after-run-end'
  | 'incomplete'
  | 'unsigned'
  | 'bad-signature';

export interface AuditFinding {
  readonly kind: AuditFindingKind;
  /** The seq of the record concerned (for `incomplete`, the first missing one). */
  readonly seq?: number;
  /** 1-based line in the file, when verifying a file. */
  readonly line?: number;
  readonly reason: string;
  /** Fatal findings make `ok` false; the others are reported but explainable by a crash. */
  readonly fatal: boolean;
}

export interface AuditVerification {
  readonly ok: boolean;
  /** Records read. */
  readonly count: number;
  /** The log ends with run:end. */
  readonly complete: boolean;
  /** The first fatal finding, in file/seq order. */
  readonly firstBad?: AuditFinding;
  readonly findings: AuditFinding[];
  /** The last record's seq and hash: publish it elsewhere to anchor the log. */
  readonly tail?: { readonly seq: number; readonly hash: string };
}

export interface VerifyOptions {
  /** Treat a missing run:end or a torn last line (crash, kill, truncation) as fatal. */
  readonly requireComplete?: boolean;
  /** A head known from elsewhere (job summary, database): the log must contain it (at `seq`, when given). */
  readonly anchor?: { readonly seq?: number; readonly hash: string };
  /** Heads published by the run (tracking issue, database): each must be in the log. */
  readonly anchors?: readonly PublishedAnchor[];
  /** The audit key: every record must carry a signature it confirms. */
  readonly key?: AuditSigVerifier;
}

type Located = AuditFinding & { pos: number };

/**
 * Verifies records in the order given. `lines`/`problems` come from parsing a file
 * (readAuditFile); without them positions are record indexes and no line is reported.
 */
export function verifyRecords(records: readonly AuditRecord[], options: ChainOptions = {}): AuditVerification {
  return verifyChain(viewOfLinks(records), (i) => hashRecord(records[i]) === records[i].hash, options);
}

type ChainOptions = VerifyOptions & {
  lines?: readonly number[];
  problems?: readonly AuditFileProblem[];
  lineCount?: number;
};

/** verifyRecords on what the checks read of each record; `hashOk(i)`: record i's hash matches its content. */
function verifyChain(records: ChainView, hashOk: (i: number) => boolean, options: ChainOptions): AuditVerification {
  const { lines, requireComplete = false } = options;
  const ctx = checkContext(records, lines, hashOk);
  let ended = false;
  for (let i = 0; i < records.length; i++) ended = checkRecord(ctx, i, ended);
  addOutsideFindings(ctx, options);
  checkProblems(records, options.problems ?? [], ctx.pos, requireComplete, ctx.found);
  const last = records.length - 1;
  const complete = last >= 0 && records.type(last) === 'run:end';
  if (!complete) ctx.found.push(incompleteFinding(records, options, requireComplete));
  const findings = ctx.found.sort((a, b) => a.pos - b.pos).map(({ pos: _pos, ...f }) => f);
  const firstBad = findings.find((f) => f.fatal);
  return {
    ok: !firstBad,
    count: records.length,
    complete,
    findings,
    ...(firstBad ? { firstBad } : {}),
    ...(last >= 0 ? { tail: { seq: records.seq(last), hash: records.hash(last) } } : {}),
  };
}

/** What each check needs: the records, where each one is (line or index), and the findings so far. */
interface CheckContext {
  readonly records: ChainView;
  hashOk(i: number): boolean;
  readonly found: Located[];
  pos(i: number): number;
  at(i: number): { seq: number; line?: number; pos: number };
  fatal(i: number, kind: AuditFindingKind, reason: string): void;
}

function checkContext(
  records: ChainView,
  lines: readonly number[] | undefined,
  hashOk: (i: number) => boolean,
): CheckContext {
  const found: Located[] = [];
  const pos = (i: number) => lines?.[i] ?? i + 1;
  const at = (i: number) => ({ seq: records.seq(i), ...(lines ? { line: lines[i] } : {}), pos: pos(i) });
  const fatal = (i: number, kind: AuditFindingKind, reason: string) => {
    found.push({ ...at(i), kind, reason, fatal: true });
  };
  return { records, hashOk, found, pos, at, fatal };
}

/**
 * Record `i` on its own (its hash, its run) and then as a link of the chain; returns whether the
 * chain is closed by a run:end after it (a record that fails its own checks changes nothing).
 */
function checkRecord(ctx: CheckContext, i: number, ended: boolean): boolean {
  const { records } = ctx;
  const seq = records.seq(i);
  if (!ctx.hashOk(i)) {
    ctx.fatal(i, 'hash-mismatch', `record ${seq} was changed (hash does not match its content)`);
    return ended;
  }
  const runId = records.runId(i);
  if (runId !== records.runId(0)) {
    ctx.fatal(i, 'run-mismatch', `record ${seq} belongs to run ${runId}, not ${records.runId(0)}`);
    return ended;
  }
  // run:end closes the chain; only a resume reopens it. This catches a record appended
  // after the end with a correct hash, which the chain alone would accept.
  const type = records.type(i);
  if (ended && type !== 'run:resume')
    ctx.fatal(i, 'after-run-end', `record ${seq} (${type}) follows run:end (appended after the run ended)`);
  checkLink(ctx, i);
  return type === 'run:end' || (ended && type !== 'run:resume');
}

/** Record `i` against the one before it: the start, the order of seqs, and the hash it chains to. */
function checkLink(ctx: CheckContext, i: number): void {
  const { records, fatal } = ctx;
  const seq = records.seq(i);
  if (i === 0) {
    if (seq !== 1 || records.prevHash(i) !== GENESIS_HASH)
      fatal(i, 'bad-start', `the log starts at record ${seq}, not at record 1 (records deleted from the start)`);
    return;
  }
  const prevSeq = records.seq(i - 1);
  if (seq <= prevSeq) {
    // The record before this one claims this seq and this record still chains to the one
    // before that: the record in between was inserted (whatever hash it carries).
    if (prevSeq === seq && i >= 2 && records.chainsTo(i, i - 2)) {
      remove(ctx.found, ctx.pos(i - 1));
      return fatal(
        i - 1,
        'inserted',
        `record ${prevSeq} was inserted: the original record ${seq} follows it and chains to record ${records.seq(i - 2)}`,
      );
    }
    return fatal(i, 'out-of-order', `record ${seq} comes after record ${prevSeq} (moved or duplicated)`);
  }
  if (seq > prevSeq + 1) return gapAt(ctx, i, prevSeq, seq);
  if (!records.chainsTo(i, i - 1))
    fatal(i, 'prev-hash-mismatch', `record ${seq} does not chain to record ${prevSeq} (replaced or inserted)`);
}

/** Record `i` skips seqs after `prevSeq`: they come later (moved), or nowhere (deleted). */
function gapAt(ctx: CheckContext, i: number, prevSeq: number, seq: number): void {
  const { records } = ctx;
  let movedLater = false;
  for (let k = i + 1; k < records.length && !movedLater; k++)
    movedLater = records.seq(k) > prevSeq && records.seq(k) < seq;
  return movedLater
    ? ctx.fatal(i, 'out-of-order', `record ${seq} comes before record ${prevSeq + 1} (moved)`)
    : ctx.fatal(
        i,
        'seq-gap',
        `record${seq - prevSeq > 2 ? `s ${prevSeq + 1}–${seq - 1} are` : ` ${prevSeq + 1} is`} missing (deleted)`,
      );
}

/** What only something outside the log can tell: published anchors, and the audit key's signatures. */
function addOutsideFindings(ctx: CheckContext, options: VerifyOptions): void {
  const anchors = [...(options.anchor ? [{ ...options.anchor, from: '--anchor' }] : []), ...(options.anchors ?? [])];
  if (anchors.length === 0 && !options.key) return;
  // These read every record's hash (and sig): only now are the links built.
  const records = linksOf(ctx.records);
  const outside = [...checkAnchors(records, anchors), ...(options.key ? checkSignatures(records, options.key) : [])];
  for (const f of outside) {
    ctx.found.push(
      f.index === undefined
        ? { kind: f.kind, seq: f.seq, pos: Number.MAX_SAFE_INTEGER, reason: f.reason, fatal: true }
        : { ...ctx.at(f.index), kind: f.kind, reason: f.reason, fatal: true },
    );
  }
}

/** A log without run:end: truncated, or the run was interrupted (fatal only if completeness is required). */
function incompleteFinding(
  records: ChainView,
  options: { lines?: readonly number[]; lineCount?: number },
  requireComplete: boolean,
): Located {
  const { lines } = options;
  const last = records.length > 0 ? records.seq(records.length - 1) : undefined;
  const line = (options.lineCount ?? lines?.at(-1) ?? 0) + 1;
  return {
    kind: 'incomplete',
    seq: (last ?? 0) + 1,
    ...(lines ? { line } : {}),
    pos: lines ? line : records.length + 1,
    reason:
      last !== undefined
        ? `no run:end (truncated or interrupted): the log stops at record ${last}`
        : 'no run:end (truncated or interrupted): the log is empty',
    fatal: requireComplete,
  };
}

function remove(found: Located[], pos: number): void {
  for (let k = found.length - 1; k >= 0; k--) if (found[k].pos === pos && found[k].fatal) found.splice(k, 1);
}

/** Lines that are not records: a crash fragment is harmless if the chain runs across it. */
function checkProblems(
  records: ChainView,
  problems: readonly AuditFileProblem[],
  pos: (i: number) => number,
  requireComplete: boolean,
  found: Located[],
): void {
  for (const p of problems) {
    if (p.kind === 'torn-last-line') {
      found.push({
        kind: 'torn-last-line',
        line: p.line,
        pos: p.line,
        reason: `${p.message}: a write interrupted by a crash`,
        fatal: requireComplete,
      });
      continue;
    }
    let after = 0;
    while (after < records.length && pos(after) <= p.line) after++;
    const intact =
      after < records.length &&
      (after > 0
        ? records.seq(after) === records.seq(after - 1) + 1 && records.chainsTo(after, after - 1)
        : records.seq(after) === 1 && records.prevHash(after) === GENESIS_HASH);
    found.push(
      intact
        ? {
            kind: 'torn-line',
            line: p.line,
            pos: p.line,
            reason: `${p.message}; the chain is intact across it (a crash fragment)`,
            fatal: false,
          }
        : { kind: p.kind, line: p.line, pos: p.line, reason: `${p.message} (a record was damaged)`, fatal: true },
    );
  }
}

/** Verifies an audit file (by path) or records already read. */
export async function verifyAudit(
  source: readonly AuditRecord[] | string,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  if (typeof source !== 'string') return verifyRecords(source, options);
  return verifyChainFile((await readChainFileInParts(source)).file, options);
}

/**
 * verifyAudit of a file's text already read (resume reads it for its records too): the same
 * verdict as verifyRecords of its parsed records, without re-serialising the canonical lines.
 */
export function verifyAuditText(text: string, options: VerifyOptions = {}): AuditVerification {
  return verifyChainFile(chainOfText(text), options);
}

/** The chain checks of a file read (readChainFile, readChainFileInParts). */
export function verifyChainFile(file: ChainFile, options: VerifyOptions): AuditVerification {
  return verifyChain(file.chain, (i) => file.hashOk[i], {
    ...options,
    lines: file.lines,
    problems: file.problems,
    lineCount: file.lineCount,
  });
}

/**
 * Verifies a run's records in the `runbook_audit` table, in seq order. The row's own columns
 * must agree with the record they index, or someone edited one without the other.
 */
export async function verifyAuditDb(
  url: string,
  runId: string,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  const rows = await readAuditRows(url, runId);
  const result = verifyRecords(
    rows.map((r) => r.record),
    options,
  );
  const columnFindings: AuditFinding[] = rows
    .filter(
      (r) =>
        r.seq !== r.record.seq ||
        r.hash !== r.record.hash ||
        r.prevHash !== r.record.prevHash ||
        r.runId !== r.record.runId,
    )
    .map((r) => ({
      kind: 'column-mismatch',
      seq: r.seq,
      reason: `row ${r.seq}: columns disagree with the stored record`,
      fatal: true,
    }));
  if (columnFindings.length === 0) return result;
  const findings = [...columnFindings, ...result.findings].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  return { ...result, ok: false, findings, firstBad: findings.find((f) => f.fatal) };
}
