import { HashedMasks } from './hashed-masks.js';

/** Shorter secret values are not masked; run and plan warn about them (core/short-secrets.ts). */
export const minMaskedLength = 4;

/**
 * Replaces every secret value with `***` in any text that leaves the process: logs, audit events,
 * plans, errors. Values shorter than 4 characters are not masked (they would mask random text),
 * and each value is also masked in its common encodings (URL-encoded, JSON-escaped, base64 at
 * any byte offset, hex).
 */
export class SecretMasker {
  private values: string[] = [];
  private readonly hashed: HashedMasks[] = [];

  constructor(secrets: Iterable<string>) {
    for (const s of secrets) this.add(s);
  }

  /**
   * Masks `secret` (and its forms) from now on in everything this masker guards: values a script
   * registers through `$RUNBOOK_MASK` join the run's secrets this way. Returns whether it was
   * long enough to be masked.
   */
  add(secret: string): boolean {
    if (typeof secret !== 'string' || secret.length < minMaskedLength) return false;
    const all = new Set(this.values);
    for (const form of secretForms(secret)) all.add(form);
    // Longest first, so a value containing another is masked whole.
    this.values = [...all].sort((a, b) => b.length - a.length);
    return true;
  }

  /** Masks values known only by their salted hashes (registered before a `resume`). */
  addHashed(masks: HashedMasks): void {
    this.hashed.push(masks);
  }

  mask(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('***');
    for (const h of this.hashed) out = h.mask(out);
    return out;
  }

  /**
   * The largest split point ≤ `at` that does not fall inside an occurrence of a secret (or one of
   * its forms) in `text`, so each piece can be masked on its own. `at` itself when only a split
   * at 0 would avoid it (a secret longer than the piece).
   */
  safeCut(text: string, at: number): number {
    let cut = at;
    for (let moved = true; moved && cut > 0; ) {
      moved = false;
      for (const v of this.values) {
        const i = text.indexOf(v, Math.max(0, cut - v.length + 1));
        if (i >= 0 && i < cut && i + v.length > cut) {
          cut = i;
          moved = true;
        }
      }
      // Values registered before a resume are known by hashes only: ask them the same question.
      for (const h of this.hashed) {
        const i = h.straddling(text, cut);
        if (i !== undefined && i < cut) {
          cut = i;
          moved = true;
        }
      }
    }
    return cut > 0 ? cut : at;
  }

  /** Masks every string inside a JSON-like value. */
  maskDeep<T>(value: T): T {
    if (typeof value === 'string') return this.mask(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.maskDeep(v);
      return out as T;
    }
    return value;
  }

  get size(): number {
    return this.values.length;
  }
}

/**
 * Every form of `s` that is masked: the value, each long line of it, its URL-encoded,
 * JSON-escaped, base64 and hex forms, and the password of a connection URL.
 */
export function secretForms(s: string): string[] {
  const all = new Set<string>([s]);
  // Logs arrive line by line: each line of a multi-line secret (a PEM key) is secret too.
  for (const line of s.split(/\r?\n/)) if (line.trim().length >= 8) all.add(line);
  all.add(encodeURIComponent(s));
  all.add(JSON.stringify(s).slice(1, -1));
  for (const form of encodedForms(s)) all.add(form);
  // A password inside a connection URL is secret on its own.
  const pw = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]+)@/i.exec(s)?.[1];
  if (pw && pw.length >= 4) {
    all.add(pw);
    all.add(decodeURIComponentSafe(pw));
  }
  return [...all].filter((f) => f.length >= 4);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * base64 (standard and URL-safe) and hex forms of a secret. A base64 encoding of text that merely
 * contains the secret (`user:password` in a Basic auth header) depends on where the secret starts
 * modulo 3 bytes, so each of the three alignments is masked, minus the characters it shares with
 * its neighbours (as GitHub Actions masks derived base64 values).
 */
export function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out = [bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const lead = [0, 2, 3][offset];
    const tail = (offset + bytes.length) % 3 === 0 ? 0 : 1;
    const core = b64.slice(lead, b64.length - tail);
    if (core.length < 6) continue;
    out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}
