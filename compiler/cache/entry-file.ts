import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { CacheEntry, EntryOutput } from './entry.js';

/**
 * One entry on disk (`entries/<key>.json`), laid out so that an incremental compile reads the
 * output of a thousand runbooks fast:
 *
 *     <crc32 of the rest, 8 hex digits>\n<head: JSON>\n<graphs: JSON><output 1>…<output n>
 *
 * The head holds the small fields and the byte length of each part; the emitted pages follow as
 * raw text, so reading them is one decode rather than a JSON parse of escaped strings (most of
 * an incremental compile's time went there). The checksum catches a truncated or damaged file,
 * which then reads as missing (a full compile) rather than as wrong output. It is CRC-32 rather
 * than SHA-256 because it guards against accidents only, as any unkeyed checksum does: whoever can
 * write the cache can write a matching SHA-256 too; and it is some 10× faster on 70 MiB.
 */
interface EntryHead {
  readonly key: string;
  readonly path: string;
  readonly docs: CacheEntry['docs'];
  readonly diagnostics: CacheEntry['diagnostics'];
  readonly graphsBytes: number;
  readonly outputs: OutputHead[];
}

interface OutputHead {
  readonly emitter: string;
  readonly graph: string;
  readonly path: string;
  readonly bytes: number;
  /** The text is stored as a JSON string: it has a lone surrogate, which UTF-8 cannot carry. */
  readonly json?: true;
}

/** A string UTF-8 round-trips: no lone surrogate (a `\ud800` escape in a YAML string can make one). */
const wellFormed = (text: string): boolean =>
  (text as { isWellFormed?: () => boolean }).isWellFormed?.() ??
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

/** Writes an entry atomically (rename), so a killed compile leaves the old file or the new one. */
export function writeEntryFile(file: string, entry: CacheEntry): void {
  const graphs = JSON.stringify(entry.graphs);
  const texts = entry.outputs.map((o) =>
    wellFormed(o.content) ? { o, text: o.content } : { o, text: JSON.stringify(o.content), json: true as const },
  );
  const head: EntryHead = {
    key: entry.key,
    path: entry.path,
    docs: entry.docs,
    diagnostics: entry.diagnostics,
    graphsBytes: Buffer.byteLength(graphs),
    outputs: texts.map(({ o, text, json }) => ({
      emitter: o.emitter,
      graph: o.graph,
      path: o.path,
      bytes: Buffer.byteLength(text),
      ...(json ? { json } : {}),
    })),
  };
  const body = Buffer.from([JSON.stringify(head), '\n', graphs, ...texts.map((t) => t.text)].join(''));
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, Buffer.concat([Buffer.from(`${checksum(body)}\n`), body]));
  renameSync(temp, file);
}

/** The entry in `file`, or undefined when it is missing, damaged or not in this layout. */
export function readEntryFile(file: string): CacheEntry | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  if (data.length < 9 || data[8] !== 0x0a) return undefined;
  const body = data.subarray(9);
  if (data.toString('latin1', 0, 8) !== checksum(body)) return undefined;
  const newline = body.indexOf(0x0a);
  try {
    const head = JSON.parse(body.toString('utf8', 0, newline)) as EntryHead;
    let at = newline + 1;
    const part = (bytes: number) => body.toString('utf8', at, (at += bytes));
    const graphs = JSON.parse(part(head.graphsBytes)) as CacheEntry['graphs'];
    const outputs = head.outputs.map(({ bytes, json, ...o }): EntryOutput => {
      if (json) return { ...o, content: JSON.parse(part(bytes)) as string };
      const utf8 = body.subarray(at, (at += bytes));
      return lazyOutput(o, utf8);
    });
    if (at !== body.length) return undefined;
    return { key: head.key, path: head.path, docs: head.docs, diagnostics: head.diagnostics, graphs, outputs };
  } catch {
    return undefined;
  }
}

/**
 * An output whose text is decoded only when read: `compile` compares and writes its bytes
 * (write-generated.ts), so the pages of a thousand unchanged runbooks are never decoded.
 */
function lazyOutput(o: Omit<EntryOutput, 'content' | 'utf8'>, utf8: Buffer): EntryOutput {
  let text: string | undefined;
  return {
    ...o,
    get content() {
      return (text ??= utf8.toString('utf8'));
    },
    utf8,
  };
}

const checksum = (body: Buffer): string => crc32(body).toString(16).padStart(8, '0');
