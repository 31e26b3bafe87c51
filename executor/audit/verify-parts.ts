import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ColumnsPart } from './chain-columns.js';
import type { AuditFileProblem } from './file-sink.js';
import { chainOfBytes, readChainFile, readWhole, type ChainFile } from './verify-file.js';

/**
 * A large audit file read by several threads (issue 12, verify throughput ≥ 500,000 records/s):
 * the file is cut at line ends into parts, this thread reads the first part while worker threads
 * (verify-worker.ts) read the others, each exactly as chainOfBytes reads a file, and the parts'
 * columns are put end to end. Each line's verdict (its hash, whether it is a record) depends on
 * the line alone; a line template is only a fast path, so a part that starts without the
 * templates learnt before gives the same verdicts. The chain checks (verify.ts) then run over the
 * whole, so the first record of a part is checked against the last of the part before exactly as
 * any other record. Any failure of a worker gives `undefined`: the caller reads the file again
 * on this thread alone, so a finding is never lost.
 */

/** What a part's reading sends back: its columns, verdicts and problems, with lines counted from the part's start. */
export interface FilePart {
  readonly columns: ColumnsPart;
  readonly hashOk: Uint8Array;
  readonly lines: Float64Array;
  readonly problems: AuditFileProblem[];
  readonly lineCount: number;
}

/**
 * Files from this size are split (about 20,000 records of a step-by-step run): below it, the
 * start of a worker (≈ 30 ms) costs more than it saves.
 */
export const SPLIT_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Threads to read a file of `size` bytes: 1 when small, else one per idle core, up to 4. The
 * parts cost more CPU in all (≈ +25 %: each worker starts, compiles its own code, and sends its
 * columns back); they save time only on cores that are free. So busy cores (the load average of
 * the last minute) are not counted: on a busy machine the file is read by this thread alone. The
 * verdict is the same either way (verify-parts.test.ts).
 */
export function partsFor(size: number): number {
  // Compiled code only: the worker is a .js file next to this one (under vitest it is .ts).
  if (size < SPLIT_MIN_BYTES || import.meta.url.endsWith('.ts')) return 1;
  // The load counts this process too (a verify or a bench that was running): one more core is free.
  const cores = Math.min(availableParallelism(), 4);
  return Math.max(1, Math.min(Math.round(cores + 1 - loadavg()[0]), cores));
}

const workerUrl = new URL('./verify-worker.js', import.meta.url);

/** An audit file read for verify, and how many threads read it (1: this one alone). */
export interface ReadChain {
  readonly file: ChainFile;
  readonly threads: number;
}

/**
 * readChainFile, by `parts` threads (default: partsFor the file's size). A file read in parts is
 * read into a SharedArrayBuffer, which the workers read in place.
 */
export async function readChainFileInParts(path: string, parts?: number, worker = workerUrl): Promise<ReadChain> {
  let n = 1;
  const bytes = await readWhole(path, (size) => {
    n = parts ?? partsFor(size);
    return n > 1 ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafe(size);
  });
  // Parts are cut at '\n' bytes, which UTF-8 never uses inside a character: a part with other
  // characters than ASCII is decoded on its own by chainOfBytes, as a whole file would be.
  if (n <= 1) return { file: chainOfBytes(bytes), threads: 1 };
  const read = await chainOfParts(bytes, n, worker).catch(() => undefined);
  // The fast path rearranged the bytes it hashed: read the file again, on this thread.
  return read ?? { file: await readChainFile(path), threads: 1 };
}

/** A part of the file as a worker would send it (its typed arrays then belong to the receiver). */
export function partOf(file: ChainFile): FilePart {
  const { hashOk } = file;
  const ok = new Uint8Array(hashOk.length);
  for (let i = 0; i < hashOk.length; i++) ok[i] = hashOk[i] ? 1 : 0;
  return {
    columns: file.chain.toPart(),
    hashOk: ok,
    lines: Float64Array.from(file.lines),
    problems: file.problems,
    lineCount: file.lineCount,
  };
}

/**
 * This thread's part is larger than a worker's: a worker starts some 35 ms later (its own start
 * and imports) and sends its columns back, which this thread's part does not.
 */
const FIRST_WEIGHT = 1.25;

/** Where the `parts` parts of `bytes` start, each after a '\n' (fewer when lines are long). */
export function cutPoints(bytes: Uint8Array, parts: number): number[] {
  const cuts = [0];
  const total = FIRST_WEIGHT + parts - 1;
  for (let k = 1; k < parts; k++) {
    const at = Math.floor((bytes.length * (FIRST_WEIGHT + k - 1)) / total);
    const nl = bytes.indexOf(10, Math.max(at, cuts.at(-1)!));
    if (nl < 0 || nl + 1 >= bytes.length) break;
    cuts.push(nl + 1);
  }
  return cuts;
}

/**
 * `bytes` (a file, in a SharedArrayBuffer the workers read in place) read in parts;
 * undefined if a worker failed.
 */
async function chainOfParts(bytes: Buffer, parts: number, worker: URL): Promise<ReadChain | undefined> {
  const cuts = cutPoints(bytes, parts);
  const ends = [...cuts.slice(1), bytes.length];
  const workers = cuts.slice(1).map((from, k) => readInWorker(worker, bytes, from, ends[k + 1]));
  // Each worker's promise is handled at once, so a failure while this thread reads is not unhandled.
  const settled = Promise.all(
    workers.map((w) =>
      w.then(
        (part) => part,
        () => undefined,
      ),
    ),
  );
  const first = chainOfBytes(bytes.subarray(0, ends[0]));
  const rest = await settled;
  if (rest.some((p) => p === undefined)) return undefined;
  return { file: mergeParts(first, rest as FilePart[]), threads: cuts.length };
}

/** The part bytes[from, to) read by a worker thread. */
function readInWorker(url: URL, bytes: Buffer, from: number, to: number): Promise<FilePart> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, {
      workerData: { shared: bytes.buffer, offset: bytes.byteOffset + from, length: to - from },
    });
    let part: FilePart | undefined;
    worker.once('message', (m: FilePart) => (part = m));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      part && code === 0 ? resolve(part) : reject(new Error(`verify worker exited with ${code}`)),
    );
  });
}

/** The file read on this thread up to where the parts start, then the parts (lines renumbered). */
export function mergeParts(first: ChainFile, parts: readonly FilePart[]): ChainFile {
  const { chain, hashOk, lines, problems } = first;
  let offset = first.lineCount;
  for (const p of parts) {
    chain.append(p.columns);
    for (let i = 0; i < p.hashOk.length; i++) hashOk.push(p.hashOk[i] === 1);
    for (let i = 0; i < p.lines.length; i++) lines.push(p.lines[i] + offset);
    for (const problem of p.problems) problems.push(shifted(problem, offset));
    offset += p.lineCount;
  }
  first.lineCount = offset;
  return first;
}

/** A problem of a part's line, at its line in the file (its message starts with its line). */
function shifted(p: AuditFileProblem, offset: number): AuditFileProblem {
  if (offset === 0) return p;
  const prefix = `line ${p.line} `;
  // parseAuditLine's messages all start so; anything else is a bug to fail on, not to hide.
  if (!p.message.startsWith(prefix)) throw new Error(`unexpected audit problem message: ${p.message}`);
  const line = p.line + offset;
  return { ...p, line, message: `line ${line} ${p.message.slice(prefix.length)}` };
}
