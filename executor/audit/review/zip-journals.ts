import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { RunRefused } from '../../core/errors.js';

/**
 * The `audit.jsonl` entries of an artifact zip, as GitHub serves one (the Actions page, or the REST
 * endpoint "Download an artifact"): read with node:zlib, no unzip tool. Only what those zips use:
 * entries stored (method 0) or deflated (method 8), sizes from the central directory (a local
 * header may defer them to a data descriptor), no ZIP64, no encryption (PKWARE APPNOTE.TXT 4.3:
 * end of central directory 4.3.16, central directory header 4.3.12, local file header 4.3.7).
 */
export interface ZipJournal {
  /** The entry's path inside the zip. */
  readonly name: string;
  readonly text: string;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** An audit log larger than this is refused rather than inflated (a zip bomb would be endless). */
const MAX_JOURNAL_BYTES = 512 * 1024 * 1024;

export async function zipJournals(path: string, fileName: string): Promise<ZipJournal[]> {
  const zip = await readFile(path);
  const bad = (why: string) => new RunRefused(`${path}: not a zip GitHub makes (${why})`, 'unzip it first');
  const eocd = findEocd(zip);
  if (eocd < 0) throw bad('no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const out: ZipJournal[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw bad(`central directory entry ${i + 1}`);
    const [flags, method] = [zip.readUInt16LE(at + 8), zip.readUInt16LE(at + 10)];
    const [size, nameLen] = [zip.readUInt32LE(at + 20), zip.readUInt16LE(at + 28)];
    const [extraLen, commentLen, local] = [
      zip.readUInt16LE(at + 30),
      zip.readUInt16LE(at + 32),
      zip.readUInt32LE(at + 42),
    ];
    const name = zip.toString('utf8', at + 46, at + 46 + nameLen);
    at += 46 + nameLen + extraLen + commentLen;
    if (name !== fileName && !name.endsWith(`/${fileName}`)) continue;
    if (flags & 1) throw bad(`${name} is encrypted`);
    if (size === 0xffffffff || local === 0xffffffff) throw bad(`${name} needs ZIP64`);
    out.push({ name, text: entryText(zip, local, size, method, bad) });
  }
  return out;
}

function entryText(zip: Buffer, local: number, size: number, method: number, bad: (why: string) => Error): string {
  if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL) throw bad('a local header');
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const data = zip.subarray(start, start + size);
  if (method === 0) return data.toString('utf8');
  if (method !== 8) throw bad(`compression method ${method}`);
  return inflateRawSync(data, { maxOutputLength: MAX_JOURNAL_BYTES }).toString('utf8');
}

/** The end of central directory record: the last signature within its 22 bytes plus a 64 KiB comment. */
function findEocd(zip: Buffer): number {
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--)
    if (zip.readUInt32LE(i) === EOCD) return i;
  return -1;
}
