const units = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

const pattern = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Parses `500ms`, `30s`, `15m`, `1h30m`, `2d` into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || text === '' || text.length > 40) return undefined;
  const m = pattern.exec(text);
  if (!m) return undefined;
  let ms = 0;
  for (let i = 0; i < units.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * units[i][1];
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Formats milliseconds the way authors write them (`1h30m`, `45s`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
