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

/** Shared lists already made, by the array they were made from (a compile's graphs, say). */
const sharedOf = new WeakMap<readonly unknown[], { readonly length: number; readonly list: SharedList }>();

/**
 * `shareList(items)`, made once per array: the docs pages and the runbook workflows of one
 * compile both hand its graphs to the workers, and serialising a thousand graphs twice would cost
 * as much as rendering a tenth of them. The array must not change afterwards (a compile's graphs
 * do not); its length is checked anyway, as a cheap guard.
 */
export function sharedListOf(items: readonly unknown[]): SharedList {
  const known = sharedOf.get(items);
  if (known?.length === items.length) return known.list;
  const list = shareList(items);
  sharedOf.set(items, { length: items.length, list });
  return list;
}

/** Positions of `items` in `all` (each item is in it), for addressing a shared list of `all`. */
export function indicesIn<T>(all: readonly T[], items: readonly T[]): number[] {
  const position = new Map(all.map((item, i) => [item, i]));
  return items.map((item) => position.get(item)!);
}
