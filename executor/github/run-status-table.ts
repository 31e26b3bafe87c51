import type { AuditRecord } from '../audit/record.js';
import { parkedText } from '../audit/summary-types.js';
import type { RunStatus, StepStatus } from '../core/events.js';
import {
  applyRecord,
  createRunState,
  currentRollback,
  isEnded,
  type RunState,
  type StepState,
} from '../run-state/fold-run.js';
import { formatDuration } from './comment-command.js';

type RowStatus = 'pending' | 'running' | 'awaiting-approval' | StepStatus | 'rolled-back';

/** One row of the live table. */
export interface StepRow {
  readonly id: string;
  readonly phase?: string;
  readonly status: RowStatus;
  readonly startedAt?: string;
  readonly durationMs?: number;
  readonly attempts: number;
  readonly note?: string;
}

/**
 * What the tracking issue shows: the run folded from its audit records (executor/run-state),
 * and the run id and title the issue was opened with, shown until the records say otherwise.
 */
export interface RunStatusState {
  runId: string;
  title: string;
  readonly run: RunState;
}

/** An empty state, before the first record. */
export const newRunStatus = (): RunStatusState => ({ runId: '', title: '', run: createRunState() });

const ICON: Record<RowStatus | RunStatus | 'parked', string> = {
  pending: '⚪',
  running: '🔄',
  'awaiting-approval': '🔐',
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭️',
  'timed-out': '⌛',
  cancelled: '🚫',
  'rolled-back': '↩️',
  'rollback-incomplete': '⚠️',
  interrupted: '⏸️',
  refused: '⛔',
  parked: '⏸️',
};

/** Applies one audit record to the state; records of other types leave it as it was. */
export function foldRecord(s: RunStatusState, r: AuditRecord): void {
  applyRecord(s.run, r);
}

/** A step's row, as the fold tells it. */
export function stepRow(run: RunState, step: StepState): StepRow {
  return {
    id: step.id,
    ...(step.phase !== undefined ? { phase: step.phase } : {}),
    status: rowStatus(step),
    ...(step.started ? { startedAt: step.started.at } : {}),
    ...(step.durationMs !== undefined ? { durationMs: step.durationMs } : {}),
    attempts: step.attempts,
    note: rowNote(run, step),
  };
}

/** A compensated step is rolled back; a step asked for approval awaits it until it starts or ends. */
function rowStatus(step: StepState): RowStatus {
  if (step.rollback?.status === 'succeeded') return 'rolled-back';
  if (step.approval) return 'awaiting-approval';
  return step.status === 'retrying' ? 'running' : step.status;
}

/** The last thing worth saying about a step: why the rollback left it, its error, its retry, its approval. */
function rowNote(run: RunState, step: StepState): string | undefined {
  const left = currentRollback(run)?.end;
  if (left?.notUndone?.includes(step.id) && (step.ended?.ms ?? 0) <= left.at.ms)
    return `not undone: ${left.reason ?? left.status}`;
  if (isEnded(step.status)) return step.error ?? step.reason;
  if (step.status === 'retrying') return `retrying: ${step.error}`;
  const g = step.lastGrant;
  return g ? `approved by ${g.approver} (${g.count}/${g.required})` : undefined;
}

/** Text for a table cell: pipes and newlines would break the Markdown table. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').slice(0, 200);
const ms = (n: number | undefined): string =>
  n === undefined ? '' : n < 1000 ? `${n} ms` : n < 60_000 ? `${(n / 1000).toFixed(1)} s` : formatDuration(n);
const time = (iso: string | undefined): string => (iso ? iso.slice(11, 19) : '');

/** The issue body (or sticky comment): a header and one table row per step, in graph order. */
export function renderRunStatus(state: RunStatusState, o: { marker: string; runUrl?: string }): string {
  const s = header(state);
  const status = state.run.parked && !state.run.end ? parkedText(state.run.parked) : s.status;
  const link = o.runUrl ? ` · [workflow run](${o.runUrl})` : '';
  const rows = [...state.run.steps.values()]
    .map((step) => stepRow(state.run, step))
    .map(
      (r) =>
        `| ${ICON[r.status]} | \`${r.id}\` | ${r.phase ?? ''} | ${time(r.startedAt)} | ${ms(r.durationMs)} | ${r.attempts || ''} | ${cell(r.note ?? r.status)} |`,
    );
  return [
    o.marker,
    `## ${ICON[s.status]} ${cell(s.title || s.runbook)} — ${status}${s.durationMs !== undefined ? ` in ${ms(s.durationMs)}` : ''}`,
    '',
    `Runbook \`${s.runbook}\` · run \`${s.runId}\` · plan \`${s.planHash.slice(0, 12)}\`${s.initiator ? ` · started by ${s.initiator}` : ''}${link}`,
    ...(s.error ? ['', `> ${cell(s.error)}`] : []),
    '',
    '| | Step | Phase | Started (UTC) | Duration | Attempts | Status |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Approve a gate with a new comment: `/approve <step-id> <plan-hash-prefix>`, or `/reject <step-id> <reason>`.',
  ].join('\n');
}

/** The issue's header: who runs what, and how the run ended (the last run:end) or where it is parked. */
function header(state: RunStatusState): {
  runId: string;
  runbook: string;
  planHash: string;
  title: string;
  initiator: string;
  status: 'running' | 'parked' | RunStatus;
  durationMs?: number;
  error?: string;
} {
  const { header: h, start, end } = state.run;
  return {
    runId: h?.runId ?? state.runId,
    runbook: h?.runbook ?? '',
    planHash: h?.planHash ?? '',
    title: start?.title ?? state.title,
    initiator: start?.initiator ?? '',
    status: end?.status ?? (state.run.parked ? 'parked' : 'running'),
    durationMs: end?.durationMs,
    error: end?.error,
  };
}
