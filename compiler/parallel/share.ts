import { serialize } from 'node:v8';

/**
 * A value serialised once into shared memory, so that every worker of a job reads the same copy
 * (`v8.deserialize(new Uint8Array(buffer))`) instead of each getting its own structured clone.
 */
export function shareValue(value: unknown): SharedArrayBuffer {
  const bytes = serialize(value);
  const buffer = new SharedArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}
