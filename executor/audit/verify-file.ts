import { isAscii } from 'node:buffer';
import { open, readFile } from 'node:fs/promises';
import { sha256 } from '../../ir/canonical-json.js';
import { lineFields, scanRecordLine, type LineFields } from './canonical-line.js';
import { parseAuditLine, type AuditFileProblem } from './file-sink.js';
import { templateOf, type LineTemplate } from './line-template.js';
import { hashRecord } from './record.js';

/**
 * An audit file read for `verify` (issue 12: ≥ 500,000 records/s): only the fields the chain
 * checks read, and whether each record's hash matches its content. A line the file sink wrote
 * is canonical JSON, so its hash is checked on its own bytes (canonical-line.ts) without
 * building the record; every other line (older journals, edited lines) is parsed and hashed
 * with canonicalJson exactly as before, so the verdict of every line is unchanged.
 */

/** What the chain checks read of a record. */
export interface ChainLink {
  readonly seq: number;
  readonly runId: string;
  readonly type: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly sig?: string;
}

export interface ChainFile {
  readonly links: ChainLink[];
  /** `hashOk[i]`: links[i].hash is the hash of its record's content. */
  readonly hashOk: boolean[];
  /** `lines[i]` is the 1-based line of `links[i]`. */
  readonly lines: number[];
  readonly problems: AuditFileProblem[];
  /** Number of lines in the file (a torn last line counts), as parseAuditText counts them. */
  lineCount: number;
}

export async function readChainFile(path: string): Promise<ChainFile> {
  return chainOfBytes(await readWhole(path));
}

/**
 * The file in one buffer, read with as few reads as its size allows: fs.promises.readFile reads
 * in 512 KiB chunks, which costs twice the time of the copy on a journal of 100 MB.
 */
async function readWhole(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const bytes = Buffer.allocUnsafe(size);
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
  return isAscii(bytes) ? chainOfText(bytes.toString('latin1'), bytes) : chainOfText(bytes.toString('utf8'));
}

/**
 * The lines of `text` as parseAuditText splits them (a last line without '\n' is torn).
 * `bytes`: the file, when each character of `text` is the byte at the same offset (ASCII);
 * the fast path then hashes bytes in place instead of building a string per line.
 */
export function chainOfText(text: string, bytes?: Buffer): ChainFile {
  const file: ChainFile = { links: [], hashOk: [], lines: [], problems: [], lineCount: 0 };
  const fields = lineFields();
  const templates: Templates = { all: [], next: [], last: -1 };
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    const torn = end < 0;
    if (torn) end = text.length;
    line++;
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
  file.lineCount = line;
  return file;
}

/** Shapes remembered per file: a run has a few (each event type, each shape of outputs). */
const MAX_TEMPLATES = 16;

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
  // Runs repeat sequences of shapes (step:start then step:end): first the shape that followed
  // the last line's shape the time before.
  const guess = ts.last < 0 ? -1 : ts.next[ts.last];
  for (let k = -1; k < ts.all.length; k++) {
    const i = k < 0 ? guess : k;
    if (i < 0 || (k >= 0 && i === guess)) continue;
    const tp = ts.all[i];
    const m = execAt(tp.re, t, start);
    if (!m) continue;
    if (ts.last >= 0) ts.next[ts.last] = i;
    ts.last = i;
    return templateRecord(m, tp, t, bytes, start, f, file) ? TAKEN : TO_PARSE;
  }
  ts.last = -1;
  return NO_TEMPLATE;
}

/** A match at `start`, or null (also if the engine gives up: the line then takes the scanner). */
function execAt(re: RegExp, t: string, start: number): RegExpExecArray | null {
  re.lastIndex = start;
  try {
    return re.exec(t);
  } catch {
    return null;
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
  m: RegExpExecArray,
  tp: LineTemplate,
  t: string,
  bytes: Buffer | undefined,
  start: number,
  f: LineFields,
  file: ChainFile,
): boolean {
  // Where the members are: `,"hash":"` and its 64 digits and quote are 74 characters, `,"sig":"` 8.
  f.hashFrom = start + m[tp.pre].length;
  f.hashTo = f.hashFrom + 74;
  f.sigFrom = tp.sig ? f.hashTo + m[tp.mid].length : -1;
  f.sigTo = tp.sig ? f.sigFrom + 9 + m[tp.sig].length : -1;
  const end = tp.sig ? f.sigTo + m[tp.post].length : f.hashTo + m[tp.mid].length;
  const hash = contentHash(t, bytes, start, end, f);
  if (hash !== m[tp.hash]) return false;
  f.expectPrev = hash;
  // Consecutive records share their run id and chain each to the hash before: one string for
  // both keeps the records light and the checks' comparisons cheap.
  const last = file.links.at(-1);
  const runId = unescaped(m[tp.runId]);
  const prevHash = unescaped(m[tp.prevHash]);
  file.links.push({
    seq: Number(m[tp.seq]),
    runId: runId === last?.runId ? last.runId : runId,
    type: unescaped(m[tp.type]),
    prevHash: prevHash === last?.hash ? last.hash : prevHash,
    hash,
    sig: tp.sig ? unescaped(m[tp.sig]) : undefined,
  });
  file.hashOk.push(true);
  return true;
}

/** The value of a canonical JSON string's content. */
const unescaped = (raw: string): string => (raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw);

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
  const hash = contentHash(t, bytes, start, end, f);
  if (!t.startsWith(hash, f.hashAt)) return false;
  f.expectPrev = hash;
  const last = file.links.at(-1);
  file.links.push({
    seq: f.seq,
    runId: last ? sameOr(t, f.runIdAt, f.runIdEnd, last.runId) : stringAt(t, f.runIdAt, f.runIdEnd),
    type: stringAt(t, f.typeAt, f.typeEnd),
    prevHash: last ? sameOr(t, f.prevAt, f.prevEnd, last.hash) : stringAt(t, f.prevAt, f.prevEnd),
    hash,
    // `,"sig":"` is 8 characters; the value ends before the member's closing quote.
    sig: f.sigFrom < 0 ? undefined : stringAt(t, f.sigFrom + 8, f.sigTo - 1),
  });
  file.hashOk.push(true);
  return true;
}

/** sha256 of the line without its hash and sig members. */
function contentHash(t: string, bytes: Buffer | undefined, start: number, end: number, f: LineFields): string {
  const sigLength = f.sigFrom < 0 ? 0 : f.sigTo - f.sigFrom;
  if (!bytes)
    return sha256(
      sigLength === 0
        ? t.slice(start, f.hashFrom) + t.slice(f.hashTo, end)
        : t.slice(start, f.hashFrom) + t.slice(f.hashTo, f.sigFrom) + t.slice(f.sigTo, end),
    );
  // Close the gaps in place, moving the parts before them right (the text is already decoded,
  // so the bytes are free to change): the content is then one run of bytes, ending at `end`.
  if (sigLength > 0) bytes.copyWithin(f.hashTo + sigLength, f.hashTo, f.sigFrom);
  const from = start + (f.hashTo - f.hashFrom) + sigLength;
  bytes.copyWithin(from, start, f.hashFrom);
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

/** The JSON string whose content is t[at, end). */
function stringAt(t: string, at: number, end: number): string {
  const raw = t.slice(at, end);
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
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
  file.links.push({ seq: r.seq, runId: r.runId, type: r.type, prevHash: r.prevHash, hash: r.hash, sig: r.sig });
  file.hashOk.push(hashRecord(r) === r.hash);
  file.lines.push(line);
}
