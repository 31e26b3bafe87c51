import { secretForms } from '../core/secrets.js';

/** Most combinations tried: a few masked places among a few secrets, never an open-ended search. */
const MAX_TRIES = 20_000;

/**
 * The inputs of a run as they were before the journal masked them. `run:start` stores inputs with
 * secret values replaced by `***` (secrets never reach the journal), but the plan hash covers the
 * inputs in clear: so each `***` is filled with one of the secrets known now (a value or one of its
 * masked forms, or a literal `***`), and the combination whose plan hash is the journaled one is
 * the original. Nothing but the journal and the current secrets is needed: no copy of a secret is
 * kept anywhere. Undefined when no combination matches (a secret changed) or there are too many.
 */
export function unmaskInputs(
  masked: Record<string, unknown>,
  secrets: readonly string[],
  matches: (inputs: Record<string, unknown>) => boolean,
): Record<string, unknown> | undefined {
  const slots = countSlots(masked);
  if (slots === 0) return undefined;
  const candidates = [...new Set([...secrets.filter((s) => s.length >= 4), ...secrets.flatMap(secretForms), '***'])];
  if (candidates.length ** slots > MAX_TRIES) return undefined;
  const choice = new Array<number>(slots).fill(0);
  for (;;) {
    let next = 0;
    const filled = fill(masked, () => candidates[choice[next++]]) as Record<string, unknown>;
    if (matches(filled)) return filled;
    // Next combination (an odometer over the slots).
    let i = 0;
    while (i < slots && ++choice[i] === candidates.length) choice[i++] = 0;
    if (i === slots) return undefined;
  }
}

/** How many `***` the strings of `value` hold. */
export function countSlots(value: unknown): number {
  if (typeof value === 'string') return value.split('***').length - 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countSlots(v), 0);
  if (value && typeof value === 'object') return Object.values(value).reduce((n: number, v) => n + countSlots(v), 0);
  return 0;
}

function fill(value: unknown, next: () => string): unknown {
  if (typeof value === 'string') {
    const parts = value.split('***');
    return parts.map((p, i) => (i === 0 ? p : next() + p)).join('');
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, next));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, next)]));
  return value;
}
