import type { DrillRecord } from '../../ir/drill-record.js';
import { parseDuration } from '../../ir/duration.js';
import type { DirectorySpec } from '../model/specs.js';

/**
 * Drill freshness, as pure functions of the files: which runbooks must be drilled how often, what
 * counts as a drill, and the date "overdue" is measured against. Shared by the `drill-freshness`
 * rule and the wiki pages so both say the same thing.
 */

/** Tier `critical` is drilled at least quarterly when its Directory entry sets no `drillInterval` (003). */
export const defaultCriticalInterval = '90d';

/** How often runbooks of a tier must be drilled. */
export interface DrillInterval {
  readonly tier: string;
  /** As written (`90d`). */
  readonly text: string;
  readonly ms: number;
}

/** The interval of `tier`: the Directory's `drillInterval`, else 90d for `critical`, else none. */
export function drillIntervalOf(
  tier: string | undefined,
  directory: DirectorySpec | undefined,
): DrillInterval | undefined {
  if (!tier) return undefined;
  const text = directory?.tiers?.[tier]?.drillInterval ?? (tier === 'critical' ? defaultCriticalInterval : undefined);
  const ms = text === undefined ? undefined : parseDuration(text);
  return text !== undefined && ms !== undefined && ms > 0 ? { tier, text, ms } : undefined;
}

/**
 * Whether a record proves the runbook works: a live drill that succeeded, against an environment
 * a runbook of the project declares (`declared`, from `declaredEnvironments`). A dry run calls
 * each action's plan instead of its effect, so it shows the graph walks, not that recovery works;
 * a failed, rolled-back, interrupted or refused drill did not recover anything; a drill against
 * loopback servers (`runbook demo`), an environment nobody declared, or one its record does not
 * name (records written before environments were recorded) shows nothing about the real one.
 * Such records still appear in the history and still date the reference (time has passed).
 */
export function countsAsDrilled(record: DrillRecord, declared: ReadonlySet<string>): boolean {
  return record.mode === 'live' && record.status === 'succeeded' && againstDeclared(record, declared);
}

/** The record names an environment some runbook declares, and it was not the loopback demo. */
export function againstDeclared(record: DrillRecord, declared: ReadonlySet<string>): boolean {
  const env = record.environment;
  return env?.name !== undefined && env.source !== 'demo' && declared.has(env.name);
}

/** The environments runbooks declare (`spec.environment`), sorted: what a drill must act on to count. */
export function declaredEnvironments(names: Iterable<string | undefined>): ReadonlySet<string> {
  return new Set([...names].filter((n): n is string => n !== undefined).sort());
}

/** The date freshness is measured against, and where it came from. */
export interface ReferenceDate {
  readonly ms: number;
  /** ISO 8601 (UTC). */
  readonly iso: string;
  readonly source: 'record' | 'today';
}

/**
 * The newest of the newest record's `endedAt` and `today`. Never the wall clock: a compile whose
 * findings changed with the calendar would differ between a laptop and CI for the same commit.
 * The newest record is a safe lower bound of "now" (it has happened), so with records alone a
 * drill that is overdue is still found as soon as any later drill is recorded; `today` (from
 * `RUNBOOK_TODAY`, passed by the caller) moves the date on when nothing was recorded since.
 */
export function referenceDateOf(records: readonly DrillRecord[], today?: number): ReferenceDate | undefined {
  let ms: number | undefined;
  let source: ReferenceDate['source'] = 'record';
  for (const r of records) {
    const t = Date.parse(r.endedAt);
    if (Number.isFinite(t) && (ms === undefined || t > ms)) ms = t;
  }
  if (today !== undefined && (ms === undefined || today > ms)) {
    ms = today;
    source = 'today';
  }
  return ms === undefined ? undefined : { ms, iso: new Date(ms).toISOString(), source };
}

/** A date, or a date-time with its offset: without one, Date.parse would use the local zone. */
const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * `today` as milliseconds: an ISO date (`2026-03-31`, midnight UTC) or a date-time with a zone
 * (`2026-03-31T12:00:00Z`). Throws a RangeError for anything else; callers (the CLI) check user
 * input before passing it.
 */
export function parseToday(value: string | Date): number {
  const ms = value instanceof Date ? value.getTime() : isoDate.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms))
    throw new RangeError(`"${String(value)}" is not a date (expected YYYY-MM-DD or an ISO date-time)`);
  return ms;
}

/** `RUNBOOK_TODAY` from an environment, validated; undefined when unset or empty. */
export function todayFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const value = env.RUNBOOK_TODAY?.trim();
  return value ? parseToday(value) : undefined;
}

/** What the records say about one runbook. Plain data (page worker threads receive it). */
export interface RunbookDrills {
  readonly runbook: string;
  /** The runbook's records, newest first. */
  readonly records: readonly DrillRecord[];
  /** The newest record that counts (`countsAsDrilled`). */
  readonly lastSuccess?: DrillRecord;
  readonly interval?: DrillInterval;
  /** When the next drill is due: the last success plus the interval (ISO date-time). */
  readonly dueBy?: string;
  /** The last success drilled another graph than the runbook's current one. */
  readonly stale: boolean;
}

/**
 * The drill status of runbook `name` from `records` (any order), counting only drills against
 * `declared` environments (`countsAsDrilled`). `planHash` is the runbook's
 * current graph hash; without it nothing is stale (the rule passes it only when it has a graph).
 */
export function runbookDrills(
  name: string,
  records: readonly DrillRecord[],
  declared: ReadonlySet<string>,
  interval?: DrillInterval,
  planHash?: string,
): RunbookDrills {
  const mine = records.filter((r) => r.runbook === name).sort(newestFirst);
  const lastSuccess = mine.find((r) => countsAsDrilled(r, declared));
  const due = lastSuccess && interval ? Date.parse(lastSuccess.endedAt) + interval.ms : undefined;
  return {
    runbook: name,
    records: mine,
    ...(lastSuccess ? { lastSuccess } : {}),
    ...(interval ? { interval } : {}),
    ...(due !== undefined && Number.isFinite(due) ? { dueBy: new Date(due).toISOString() } : {}),
    stale: lastSuccess !== undefined && planHash !== undefined && lastSuccess.graphHash !== planHash,
  };
}

/**
 * Overdue: the runbook has an interval and no success within it before the reference date — a
 * drill counts while `reference - interval <= endedAt`. No reference date, nothing is overdue.
 */
export function isOverdue(status: RunbookDrills, reference: ReferenceDate | undefined): boolean {
  if (!status.interval || !reference) return false;
  return status.dueBy === undefined || Date.parse(status.dueBy) < reference.ms;
}

function newestFirst(a: DrillRecord, b: DrillRecord): number {
  return Date.parse(b.endedAt) - Date.parse(a.endedAt) || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0);
}

/** What a compile knows about drills, handed to the rules (`RuleContext.drills`). */
export interface DrillFacts {
  /** Valid records, oldest first. */
  readonly records: readonly DrillRecord[];
  readonly reference?: ReferenceDate;
}
