import { createHash } from 'node:crypto';

/**
 * Values to mask that the executor knows only by salted SHA-256 hashes of their forms: values a
 * script registered through `$RUNBOOK_MASK` are journaled this way (`mask:add`), so a resumed run
 * still masks them without the journal ever holding them in clear. Matching hashes every window of
 * each registered length, which is slower than a plain search: it is used only after `resume`.
 * The salt (the run id) keeps one hash from matching across runs; a short or guessable value can
 * still be found by trying candidates, as with the plan hash, so register high-entropy values.
 */
export class HashedMasks {
  private readonly byLength = new Map<number, Set<string>>();

  constructor(
    private readonly salt: string,
    entries: Iterable<string> = [],
  ) {
    for (const e of entries) this.addEntry(e);
  }

  /** One `length:sha256hex` entry, as `hashForm` makes it; anything else is ignored. */
  addEntry(entry: string): void {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(entry);
    if (!m) return;
    const length = Number(m[1]);
    if (length < 4) return;
    const set = this.byLength.get(length) ?? new Set<string>();
    set.add(m[2]);
    this.byLength.set(length, set);
  }

  get size(): number {
    let n = 0;
    for (const s of this.byLength.values()) n += s.size;
    return n;
  }

  /**
   * The start of a registered window of `text` that contains both `text[at - 1]` and `text[at]`
   * (a split at `at` would cut it in two), or undefined. At most one hash per length and offset.
   */
  straddling(text: string, at: number): number | undefined {
    for (const [length, set] of this.byLength) {
      for (let i = Math.max(0, at - length + 1); i < at && i + length <= text.length; i++) {
        if (set.has(digest(this.salt, text.slice(i, i + length)))) return i;
      }
    }
    return undefined;
  }

  /** `text` with every window whose salted hash is registered replaced by `***`. */
  mask(text: string): string {
    if (this.byLength.size === 0) return text;
    const hits: [number, number][] = [];
    // Longest first, as SecretMasker does, so a value containing another is masked whole.
    for (const length of [...this.byLength.keys()].sort((a, b) => b - a)) {
      const set = this.byLength.get(length)!;
      for (let i = 0; i + length <= text.length; i++) {
        if (hits.some(([s, e]) => i < e && i + length > s)) continue;
        if (set.has(digest(this.salt, text.slice(i, i + length)))) hits.push([i, i + length]);
      }
    }
    if (hits.length === 0) return text;
    hits.sort((a, b) => a[0] - b[0]);
    let out = '';
    let at = 0;
    for (const [s, e] of hits) {
      out += text.slice(at, s) + '***';
      at = e;
    }
    return out + text.slice(at);
  }
}

/** The journal entry of one form of a registered value: its length and salted hash. */
export function hashForm(salt: string, form: string): string {
  return `${form.length}:${digest(salt, form)}`;
}

function digest(salt: string, text: string): string {
  return createHash('sha256').update(salt).update('\0').update(text).digest('hex');
}
