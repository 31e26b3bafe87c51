/**
 * Replaces every secret value with `***` in any text that leaves the process: logs, audit events,
 * plans, errors. Values shorter than 4 characters are not masked (they would mask random text),
 * and each value is also masked in its common encodings (URL-encoded, JSON-escaped).
 */
export class SecretMasker {
  private readonly values: string[];

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const s of secrets) {
      if (typeof s !== 'string' || s.length < 4) continue;
      all.add(s);
      // Logs arrive line by line: each line of a multi-line secret (a PEM key) is secret too.
      for (const line of s.split(/\r?\n/)) if (line.trim().length >= 8) all.add(line);
      all.add(encodeURIComponent(s));
      all.add(JSON.stringify(s).slice(1, -1));
      // A password inside a connection URL is secret on its own.
      const pw = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]+)@/i.exec(s)?.[1];
      if (pw && pw.length >= 4) {
        all.add(pw);
        all.add(decodeURIComponentSafe(pw));
      }
    }
    // Longest first, so a value containing another is masked whole.
    this.values = [...all].sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('***');
    return out;
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

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
