import { parentPort, workerData } from 'node:worker_threads';
import { partOf } from './verify-parts.js';
import { chainOfBytes } from './verify-file.js';

/**
 * A worker thread of verify-parts.ts: reads its part of an audit file, in place in the shared
 * buffer, and sends back the part's columns (their typed arrays transferred, not copied).
 */
const { shared, offset, length } = workerData as { shared: SharedArrayBuffer; offset: number; length: number };
const part = partOf(chainOfBytes(Buffer.from(shared, offset, length)));
const { columns } = part;
// Each array has a buffer of its own (none is a Buffer from the pool, nor shared).
const own = [part.hashOk, part.lines, columns.seqs, columns.taken, columns.hex, columns.runIds, columns.types];
parentPort!.postMessage(
  part,
  own.map((a) => a.buffer as ArrayBuffer),
);
