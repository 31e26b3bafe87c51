import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RunRefused } from '../../executor/facade/errors.js';

const DAY = 86_400_000;
const UNIT_MS: Record<string, number> = { h: 3_600_000, d: DAY, w: 7 * DAY };

/**
 * A `--since`/`--until` date: `YYYY-MM-DD` (midnight UTC; as `--until`, the whole day is included),
 * a full ISO 8601 time with its offset (`2026-10-01T08:00:00Z`), or a time before now: `90d`, `12h`,
 * `2w`. Anything else is refused, naming the flag.
 */
export function parseWhen(flag: string, text: string, now: Date, end = false): Date {
  const t = text.trim();
  const rel = /^(\d+)([hdw])$/.exec(t);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]]);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (day) {
    const d = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    if (d.toISOString().slice(0, 10) === t) return end ? new Date(d.getTime() + DAY) : d;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t) && !isNaN(Date.parse(t))) {
    return new Date(t);
  }
  throw new RunRefused(
    `${flag} ${JSON.stringify(text)} is not a date`,
    'use YYYY-MM-DD (UTC), a full ISO 8601 time with its zone (2026-10-01T08:00:00Z), or a time ago: 90d, 12h, 2w',
  );
}

/** The period of `--since`/`--until` (either may be absent); refused when it ends before it starts. */
export function periodOf(o: { since?: string; until?: string }, now = new Date()): { since?: Date; until?: Date } {
  const since = o.since !== undefined ? parseWhen('--since', o.since, now) : undefined;
  const until = o.until !== undefined ? parseWhen('--until', o.until, now, true) : undefined;
  if (since && until && until <= since)
    throw new RunRefused(`--until ${o.until} is not after --since ${o.since}`, 'the period is [since, until)');
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

/**
 * Writes `text` to `path` atomically: a temporary file in the same directory, then rename(2), which
 * replaces the target in one step on one file system (POSIX rename): a reader (the wiki job) sees
 * the old file or the new one, never a half-written one, and a failure leaves the old one.
 */
export function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
