import { isAscii } from 'node:buffer';
import { open, readFile } from 'node:fs/promises';
import { sha256 } from '../../ir/canonical-json.js';
import { lineFields, scanRecordLine, type LineFields } from './canonical-line.js';
import { parseAuditLine, type AuditFileProblem } from './file-sink.js';
import { matchTemplate, templateOf, type LineTemplate } from './line-template.js';
import { hashRecord } from './record.js';
import { ChainColumns, linksOf, stringAt, type ChainLink } from './chain-columns.js';

/**
 * An audit file read for `verify` (issue 12: ≥ 500,000 records/s): only the fields the chain
 * checks read, and whether each record's hash matches its content. A line the file sink wrote
 * is canonical JSON, so its hash is checked on its own bytes (canonical-line.ts) without
 * building the record; every other line (older journals, edited lines) is parsed and hashed
 * with canonicalJson exactly as before, so the verdict of every line is unchanged.
 */

export interface ChainFile {
  readonly chain: ChainColumns;
  /** `hashOk[i]`: record i's hash is the hash of its content. */
  readonly hashOk: boolean[];
  /** `lines[i]` is the 1-based line of record i. */
  readonly lines: number[];
  readonly problems: AuditFileProblem[];
  /** Number of lines in the file (a torn last line counts), as parseAuditText counts them. */
  lineCount: number;
  /** The records' links, built (for tests; the checks read `chain`). */
  readonly links: ChainLink[];
}

export async function readChainFile(path: string): Promise<ChainFile> {
  return chainOfBytes(await readWhole(path));
}

/**
 * The file in one buffer, read with as few reads as its size allows: fs.promises.readFile reads
 * in 512 KiB chunks, which costs twice the time of the copy on a journal of 100 MB.
 */
export async function readWhole(
  path: string,
  alloc: (size: number) => Buffer = (size) => Buffer.allocUnsafe(size),
): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const bytes = alloc(size);
    let got = 0;
    for (let n = 1; got < size && n > 0; got += n) ({ bytesRead: n } = await fh.read(bytes, got, size - got, got));
    // A file that grew while read: read it again the ordinary way (a rare, slower path).
    return got === size && (await fh.stat()).size === size ? bytes : await readFile(path);
  } finally {
    await fh.close();
  }
}

/** An audit file's bytes (which the fast path may rearrange: they are read once). */
export function chainOfBytes(bytes: Buffer): ChainFile {
  // ASCII (the writer's lines, unless a value holds other characters) decodes the same as
  // latin1 and as UTF-8; latin1 is a plain copy into a one-byte string.
  if (!isAscii(bytes)) return chainOfText(bytes.toString('utf8'));
  const reader = newReader();
  // In chunks of whole lines: a string that small is made in the young generation, which is
  // already in memory and in cache (one string of the whole file costs a fault per page).
  for (let from = 0; from < bytes.length; ) {
    const to = chunkEnd(bytes, from);
    readLines(reader, bytes.toString('latin1', from, to), bytes.subarray(from, to));
    from = to;
  }
  return reader.file;
}

/** Bytes per chunk: well under V8's largest young-generation object (128 KiB). */
const CHUNK = 64 * 1024;

/** The end of the chunk at `from`: after its last whole line (or the file's end). */
function chunkEnd(bytes: Buffer, from: number): number {
  if (from + CHUNK >= bytes.length) return bytes.length;
  let nl = bytes.lastIndexOf(10, from + CHUNK - 1);
  if (nl < from) nl = bytes.indexOf(10, from + CHUNK); // a line longer than a chunk
  return nl < 0 ? bytes.length : nl + 1;
}

/** What reading lines carries from one chunk to the next. */
interface Reader {
  readonly file: ChainFile;
  readonly fields: LineFields;
  readonly templates: Templates;
}

function newReader(): Reader {
  const file = chainFileOf(new ChainColumns(), { hashOk: [], lines: [], problems: [], lineCount: 0 });
  return { file, fields: lineFields(), templates: { all: [], next: [], last: -1 } };
}

/** A ChainFile of its parts. */
export function chainFileOf(chain: ChainColumns, read: Omit<ChainFile, 'chain' | 'links'>): ChainFile {
  return {
    chain,
    ...read,
    get links() {
      return linksOf(chain);
    },
  };
}

/**
 * The lines of `text` as parseAuditText splits them (a last line without '\n' is torn).
 * `bytes`: the file, when each character of `text` is the byte at the same offset (ASCII);
 * the fast path then hashes bytes in place instead of building a string per line.
 */
export function chainOfText(text: string, bytes?: Buffer): ChainFile {
  const reader = newReader();
  readLines(reader, text, bytes);
  return reader.file;
}

/** Reads the lines of `text` (whole lines, and a torn last line only at the file's end) into `r`. */
function readLines(r: Reader, text: string, bytes: Buffer | undefined): void {
  const { file, fields, templates } = r;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    const torn = end < 0;
    if (torn) end = text.length;
    const line = ++file.lineCount;
    const matched = templateLine(text, bytes, start, templates, fields, file);
    if (matched === TAKEN) file.lines.push(line);
    else if (matched === NO_TEMPLATE && canonicalLine(text, bytes, start, end, fields, file)) {
      file.lines.push(line);
      learn(templates, text.slice(start, end));
    } else {
      templates.last = -1;
      slowLine(text.slice(start, end), line, torn, file, fields);
    }
    start = end + 1;
  }
}

/** Shapes remembered per file: a run has a few (each event type, each shape of outputs). */
const MAX_TEMPLATES = 32;

/**
 * The fastest path: a line of a shape proved canonical before (line-template.ts) whose content
 * hashes to its hash. A line no template matches, or whose hash differs, is left to the others.
 */
const TAKEN = 1;
const NO_TEMPLATE = 0;
/** A template matched, the hash did not: only the full parse gives the verdict (bytes may have moved). */
const TO_PARSE = -1;

function templateLine(
  t: string,
  bytes: Buffer | undefined,
  start: number,
  ts: Templates,
  f: LineFields,
  file: ChainFile,
): number {
  // A template takes only a line that chains to the line before, read by a template or the scanner.
  if (f.expectPrev === '') return NO_TEMPLATE;
  // Runs repeat sequences of shapes (step:start then step:end): first the shape that followed
  // the last line's shape the time before.
  const guess = ts.last < 0 ? -1 : ts.next[ts.last];
  for (let k = -1; k < ts.all.length; k++) {
    const i = k < 0 ? guess : k;
    if (i < 0 || (k >= 0 && i === guess)) continue;
    const tp = ts.all[i];
    const hashAt = matchAt(tp, t, start);
    if (hashAt < 0) continue;
    if (ts.last >= 0) ts.next[ts.last] = i;
    ts.last = i;
    return templateRecord(tp, t, bytes, start, hashAt - 9, f, file);
  }
  ts.last = -1;
  return NO_TEMPLATE;
}

/** matchTemplate, or -1 if the engine gives up (the line then takes the scanner). */
function matchAt(tp: LineTemplate, t: string, start: number): number {
  try {
    return matchTemplate(tp, t, start);
  } catch {
    return -1;
  }
}

/** The templates of a file, and which one followed which. */
interface Templates {
  readonly all: LineTemplate[];
  readonly next: number[];
  last: number;
}

function learn(ts: Templates, line: string): void {
  const template = ts.all.length < MAX_TEMPLATES ? templateOf(line) : undefined;
  if (!template) return;
  ts.all.push(template);
  ts.next.push(-1);
  if (ts.last >= 0) ts.next[ts.last] = ts.all.length - 1;
  ts.last = ts.all.length - 1;
}

function templateRecord(
  tp: LineTemplate,
  t: string,
  bytes: Buffer | undefined,
  start: number,
  hashFrom: number,
  f: LineFields,
  file: ChainFile,
): number {
  // `,"hash":"` is 9 characters, its 64 digits and quote 65 more; `,"prevHash":"` 13, `,"seq":` 7, `,"sig":"` 8.
  const end = tp.tail.lastIndex;
  const hashTo = hashFrom + 74;
  const prevFrom = tp.prevDelta < 0 ? nth(t, ',"prevHash":"', hashTo, tp.prevSkip) : hashFrom + tp.prevDelta;
  // A prevHash other than the hash before (a finding to come) takes the scanner, which keeps it.
  if (!textAt(t, prevFrom + 13, f.expectPrev) || t.charCodeAt(prevFrom + 77) !== 0x22) return NO_TEMPLATE;
  const sigFrom = tp.sigSkip < 0 ? -1 : nth(t, ',"sig":"', hashTo, tp.sigSkip);
  // The sig's closing quote starts `sigNext`; a sig that is the last member ends before `}`.
  const sigTo = sigFrom < 0 ? -1 : tp.sigNext === '' ? end - 1 : t.indexOf(tp.sigNext, sigFrom + 8) + 1;
  const hash = contentHash(t, bytes, start, end, hashFrom, hashTo, sigFrom, sigTo);
  if (!textAt(t, hashFrom + 9, hash)) return TO_PARSE;
  f.expectPrev = hash;
  const seqFrom = tp.seqDelta < 0 ? nth(t, ',"seq":', hashTo, tp.seqSkip) : prevFrom + tp.seqDelta;
  const sig = sigFrom < 0 ? undefined : stringAt(t, sigFrom + 8, sigTo - 1);
  file.chain.pushTaken(digitsAt(t, seqFrom + 7), tp.runId, tp.type, hash, sig);
  file.hashOk.push(true);
  return TAKEN;
}

/**
 * Whether `s` is the text of t at `at`: startsWith, but a slice and === take a quarter of its
 * time on 64 equal characters (Node 20), twice per line.
 */
const textAt = (t: string, at: number, s: string): boolean => t.slice(at, at + s.length) === s;

/** Where `needle` occurs in `t` from `from`, after `skip` earlier occurrences. */
function nth(t: string, needle: string, from: number, skip: number): number {
  let i = t.indexOf(needle, from);
  for (let k = 0; k < skip; k++) i = t.indexOf(needle, i + 1);
  return i;
}

/** The integer written at `at` (up to 15 digits, which the template allows: exact). */
function digitsAt(t: string, at: number): number {
  let v = 0;
  for (let c = t.charCodeAt(at); c >= 0x30 && c <= 0x39; c = t.charCodeAt(++at)) v = v * 10 + (c - 0x30);
  return v;
}

/**
 * The fast path: a canonical line whose bytes, without the hash and sig members, hash to its
 * hash. Any other line (not canonical, or canonical with a hash that does not match) is left
 * to the full parse, which gives the verdict (for a canonical line, the same one).
 */
function canonicalLine(
  t: string,
  bytes: Buffer | undefined,
  start: number,
  end: number,
  f: LineFields,
  file: ChainFile,
): boolean {
  if (!scanRecordLine(t, start, end, f)) return false;
  // The computed hash (a flat string) stands for the record's hash once they are equal.
  const hash = contentHash(t, bytes, start, end, f.hashFrom, f.hashTo, f.sigFrom, f.sigTo);
  if (!t.startsWith(hash, f.hashAt)) return false;
  f.expectPrev = hash;
  const lastRunId = file.chain.runIds.at(-1);
  file.chain.pushLink({
    seq: f.seq,
    runId: lastRunId ? sameOr(t, f.runIdAt, f.runIdEnd, lastRunId) : stringAt(t, f.runIdAt, f.runIdEnd),
    type: stringAt(t, f.typeAt, f.typeEnd),
    prevHash: stringAt(t, f.prevAt, f.prevEnd),
    hash,
    // `,"sig":"` is 8 characters; the value ends before the member's closing quote.
    sig: f.sigFrom < 0 ? undefined : stringAt(t, f.sigFrom + 8, f.sigTo - 1),
  });
  file.hashOk.push(true);
  return true;
}

/** sha256 of the line t[start, end) without its hash member [hashFrom, hashTo) and sig member (if sigFrom >= 0). */
function contentHash(
  t: string,
  bytes: Buffer | undefined,
  start: number,
  end: number,
  hashFrom: number,
  hashTo: number,
  sigFrom: number,
  sigTo: number,
): string {
  const sigLength = sigFrom < 0 ? 0 : sigTo - sigFrom;
  if (!bytes)
    return sha256(
      sigLength === 0
        ? t.slice(start, hashFrom) + t.slice(hashTo, end)
        : t.slice(start, hashFrom) + t.slice(hashTo, sigFrom) + t.slice(sigTo, end),
    );
  // Close the gaps in place, moving the parts before them right (the text is already decoded,
  // so the bytes are free to change): the content is then one run of bytes, ending at `end`.
  if (sigLength > 0) bytes.copyWithin(hashTo + sigLength, hashTo, sigFrom);
  const from = start + (hashTo - hashFrom) + sigLength;
  bytes.copyWithin(from, start, hashFrom);
  return sha256(bytes.subarray(from, end));
}

/**
 * `known` if t[at, end) is its text, else that string: consecutive records share their run id
 * and chain each to the hash before, and one string for both makes the checks' comparisons cheap.
 */
function sameOr(t: string, at: number, end: number, known: string): string {
  // (Equal text is the same string only without escapes: the text `\n` is a newline.)
  return end - at === known.length && t.startsWith(known, at) && !known.includes('\\') ? known : stringAt(t, at, end);
}

/** A line that is not canonical: parsed and hashed as parseAuditText and verify always did. */
function slowLine(raw: string, line: number, torn: boolean, file: ChainFile, fields: LineFields): void {
  fields.expectPrev = '';
  const parsed = parseAuditLine(raw, line, torn);
  if ('problem' in parsed) {
    file.problems.push(parsed.problem);
    return;
  }
  const r = parsed.record;
  file.chain.pushLink({ seq: r.seq, runId: r.runId, type: r.type, prevHash: r.prevHash, hash: r.hash, sig: r.sig });
  file.hashOk.push(hashRecord(r) === r.hash);
  file.lines.push(line);
}
