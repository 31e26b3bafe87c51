import { deserialize, serialize } from 'node:v8';

/**
 * Items serialised once into shared memory, so that every worker of a job reads the same copy
 * and decodes only the items it claims, instead of each worker getting (and decoding) a
 * structured clone of all of them.
 */
export interface SharedList {
  readonly buffer: SharedArrayBuffer;
  /** Item `i` is bytes [offsets[i], offsets[i + 1]) of `buffer`. */
  readonly offsets: number[];
}

export function shareList(items: readonly unknown[]): SharedList {
  const encoded = items.map((item) => serialize(item));
  const offsets = [0];
  for (const bytes of encoded) offsets.push(offsets[offsets.length - 1] + bytes.length);
  const buffer = new SharedArrayBuffer(offsets[offsets.length - 1]);
  const view = new Uint8Array(buffer);
  encoded.forEach((bytes, i) => view.set(bytes, offsets[i]));
  return { buffer, offsets };
}

/** Item `index` of a shared list, decoded (on the worker that claimed it). */
export function sharedItem<T>(list: SharedList, index: number): T {
  return deserialize(
    new Uint8Array(list.buffer, list.offsets[index], list.offsets[index + 1] - list.offsets[index]),
  ) as T;
}
