import { createHash } from 'node:crypto';

/**
 * Schedules off minute :00. GitHub documents that "the schedule event can be delayed during periods
 * of high loads of GitHub Actions workflow runs. High load times include the start of every hour.
 * If the load is sufficiently high enough, some queued jobs may be dropped" (GitHub Docs, "Events
 * that trigger workflows", `schedule`). A nightly backup authored as `0 3 * * *` is exactly such a
 * job, so the emitted workflow runs it at a minute of its own, taken from a hash of its name:
 * stable (the same name gives the same minute on every compile, on every machine) and spread (two
 * plans rarely share a minute). Only a minute field that is literally 0 moves; the hour, day,
 * month and weekday fields, and any other minute an author chose, are kept as written.
 *
 * The docs and the workflow's header show both forms; a drill's `if:` compares against the
 * emitted one, which is what `github.event.schedule` carries.
 */

/**
 * The minute (5–29) that `name`'s on-the-hour schedules move to: clear of the first minutes of the
 * hour, and within its first half, so a run authored for 03:00 still starts around three o'clock.
 */
export function spreadMinute(name: string): number {
  const digest = createHash('sha256').update(name, 'utf8').digest();
  return 5 + (digest.readUInt32BE(0) % 25);
}

/** `cron` as emitted for `name`: minute 0 replaced by `spreadMinute(name)`, the rest unchanged. */
export function emittedCron(cron: string, name: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 || !/^0+$/.test(fields[0])) return cron.trim();
  return [String(spreadMinute(name)), ...fields.slice(1)].join(' ');
}

/** One header line saying how an authored schedule became the emitted one (none when unchanged). */
export function cronNote(cron: string, name: string): string[] {
  const emitted = emittedCron(cron, name);
  if (emitted === cron.trim()) return [];
  return [
    `schedule: authored '${cron.trim()}', emitted '${emitted}' (moved off minute :00, where GitHub delays or drops scheduled runs)`,
  ];
}
