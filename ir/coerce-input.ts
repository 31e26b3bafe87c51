/**
 * Turns a raw input value (a `--input` string, an env variable, a run request's YAML value) into
 * its declared type. Shared by the compiler (run requests) and the executor (runs), so both
 * compute the same typed inputs and therefore the same plan hash.
 */
export function coerceInput(
  name: string,
  def: { readonly type: string; readonly options?: readonly (string | number)[] },
  raw: unknown,
  problem: (message: string) => void,
): unknown {
  switch (def.type) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (String(raw).trim() === '' || !Number.isFinite(n))
        problem(`input "${name}" must be a number, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['true', 'yes', '1', 'on'].includes(s)) return true;
      if (['false', 'no', '0', 'off'].includes(s)) return false;
      problem(`input "${name}" must be true or false, got ${JSON.stringify(raw)}`);
      return raw;
    }
    case 'choice': {
      const options = def.options ?? [];
      const match = options.find((o) => String(o) === String(raw));
      if (match === undefined)
        problem(`input "${name}" must be one of ${options.join(', ')}, got ${JSON.stringify(raw)}`);
      return match ?? raw;
    }
    default:
      return String(raw);
  }
}
