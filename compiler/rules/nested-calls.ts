import { joinPointer } from '../load/source-map.js';

/** An action call as written: a step or rollback body, or a call nested in a `with` (wait's `check`). */
export interface CallLike {
  readonly uses?: unknown;
  readonly run?: unknown;
  readonly with?: unknown;
}

/** A call and the JSON pointer of its object. */
export interface CallAt {
  readonly call: CallLike;
  readonly with: Record<string, unknown>;
  readonly pointer: string;
}

/**
 * The body itself and every action call nested in its `with` (an object with a string `uses`), at
 * any depth: each runs with its own parameters, so rules about parameters must see them all.
 */
export function* callsOf(body: CallLike, pointer: string): Generator<CallAt> {
  const params = isObject(body.with) ? body.with : {};
  yield { call: body, with: params, pointer };
  for (const [key, value] of Object.entries(params)) {
    if (isObject(value) && typeof value.uses === 'string') yield* callsOf(value, joinPointer(pointer, 'with', key));
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
