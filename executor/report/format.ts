import { formatDuration } from '../../ir/duration.js';
import type { AuditSummary, StepSummary } from '../audit/summary.js';
import { stepIcons } from '../audit/step-icons.js';

/**
 * Wording shared by the report and the wiki history table, so "rolled back" or "missed by 5m"
 * reads the same on every page that shows a run.
 */

/** A run's end state, as the audit summary knows it. */
export type OutcomeStatus = AuditSummary['outcome']['status'];

const outcomeIcons: Record<OutcomeStatus, string> = {
  succeeded: '✅',
  failed: '❌',
  'rolled-back': '↩️',
  'rollback-incomplete': '⚠️',
  interrupted: '⏸️',
  refused: '🚫',
  parked: '⏸️',
  unfinished: '⏳',
};

const outcomeWords: Record<OutcomeStatus, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  'rolled-back': 'rolled back',
  'rollback-incomplete': 'rollback incomplete',
  interrupted: 'interrupted',
  refused: 'refused (approval not given)',
  parked: 'parked (waiting for an approval; the run is not over)',
  unfinished: 'unfinished (the log ends before run:end)',
};

/** `✅ succeeded`, `↩️ rolled back`, `⏸️ interrupted`… */
export function outcomeText(status: OutcomeStatus): string {
  return `${outcomeIcons[status]} ${outcomeWords[status]}`;
}

const outcomeVerbs: Record<OutcomeStatus, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  'rolled-back': 'rolled back',
  'rollback-incomplete': 'failed and its rollback is incomplete: some steps were not undone',
  interrupted: 'was interrupted',
  refused: 'was refused: an approval was not given',
  parked: 'is parked, waiting for an approval',
  unfinished: 'did not finish in this log',
};

/** `↩️ The drill rolled back.`: the report's first words. */
export function outcomeSentence(status: OutcomeStatus, kind: 'drill' | 'run'): string {
  return `${outcomeIcons[status]} The ${kind} ${outcomeVerbs[status]}.`;
}

/** `⏱️ timed out`, `✅ succeeded`… for a step's final status. */
export function stepStatusText(status: StepSummary['status']): string {
  return `${stepIcons[status]} ${status === 'timed-out' ? 'timed out' : status}`;
}

/**
 * Durations the way people read them in a review: whole seconds once past one second (a drill
 * review does not care about 1h2m3s417ms), milliseconds below.
 */
export function dur(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return formatDuration(ms >= 1000 ? Math.round(ms / 1000) * 1000 : Math.max(0, Math.round(ms)));
}

/** `2025-03-01 10:00:07 UTC`: unambiguous for readers in any time zone, seconds are enough. */
export function when(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The calendar day (UTC) a run started on, for titles and the history table. */
export function day(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().slice(0, 10);
}

/**
 * `0.024 %`, `1.4 %`, `35 %`: how much of a budget or objective was used, with two significant
 * digits below 10 % (a 282 ms run against a 20-minute RTO used 0.024 %, not "0 %").
 */
export function share(usedMs: number, ofMs: number): string {
  if (ofMs <= 0) return '—';
  const pct = (usedMs / ofMs) * 100;
  if (pct === 0) return '0 %';
  if (pct < 0.001) return '< 0.001 %';
  return `${pct >= 10 ? Math.round(pct) : Number(pct.toPrecision(2))} %`;
}
