import type { AuditRecord } from '../audit/record.js';
import type { RunEvents, RunStatus, StepStatus } from '../core/events.js';
import { formatDuration } from './comment-command.js';

type RowStatus = 'pending' | 'running' | 'awaiting-approval' | StepStatus | 'rolled-back';

/** One row of the live table. */
export interface StepRow {
  readonly id: string;
  phase?: string;
  status: RowStatus;
  startedAt?: string;
  durationMs?: number;
  attempts: number;
  note?: string;
}

/** What the tracking issue shows, folded from the run's audit records. */
export interface RunStatusState {
  runId: string;
  runbook: string;
  title: string;
  planHash: string;
  initiator: string;
  status: 'running' | RunStatus;
  durationMs?: number;
  error?: string;
  readonly steps: Map<string, StepRow>;
}

/** An empty state, before the first record. */
export const newRunStatus = (): RunStatusState => ({
  runId: '',
  runbook: '',
  title: '',
  planHash: '',
  initiator: '',
  status: 'running',
  steps: new Map(),
});

const ICON: Record<RowStatus | RunStatusState['status'], string> = {
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
};

/** Applies one audit record to the state; records of other types leave it as it was. */
export function foldRecord(s: RunStatusState, r: AuditRecord): void {
  s.runId = r.runId;
  s.runbook = r.runbook;
  s.planHash = r.planHash;
  const row = (id: string): StepRow => {
    let found = s.steps.get(id);
    if (!found) s.steps.set(id, (found = { id, status: 'pending', attempts: 0 }));
    return found;
  };
  const d = r.data as RunEvents[keyof RunEvents];
  switch (r.type) {
    case 'run:start': {
      const e = d as RunEvents['run:start'];
      s.title = e.title;
      s.initiator = e.initiator;
      for (const p of e.phases) for (const id of p.steps) row(id).phase = p.id;
      break;
    }
    case 'step:start': {
      const e = d as RunEvents['step:start'];
      Object.assign(row(e.stepId), { status: 'running', attempts: e.attempt, note: undefined });
      row(e.stepId).startedAt ??= r.ts;
      break;
    }
    case 'step:retry': {
      const e = d as RunEvents['step:retry'];
      row(e.stepId).note = `retrying: ${e.error}`;
      break;
    }
    case 'step:end': {
      const e = d as RunEvents['step:end'];
      Object.assign(row(e.stepId), {
        status: e.status,
        durationMs: e.durationMs,
        attempts: Math.max(e.attempt, 1),
        note: e.error ?? e.reason,
      });
      break;
    }
    case 'approval:requested':
      row((d as RunEvents['approval:requested']).stepId).status = 'awaiting-approval';
      break;
    case 'approval:granted': {
      const e = d as RunEvents['approval:granted'];
      row(e.stepId).note = `approved by ${e.approval.approver} (${e.count}/${e.required})`;
      break;
    }
    case 'rollback:step': {
      const e = d as RunEvents['rollback:step'];
      if (e.status === 'succeeded') row(e.stepId).status = 'rolled-back';
      break;
    }
    case 'rollback:end': {
      const e = d as RunEvents['rollback:end'];
      for (const id of e.notUndone ?? []) row(id).note = `not undone: ${e.reason ?? e.status}`;
      break;
    }
    case 'run:end': {
      const e = d as RunEvents['run:end'];
      Object.assign(s, { status: e.status, durationMs: e.durationMs, error: e.error });
      break;
    }
  }
}

/** Text for a table cell: pipes and newlines would break the Markdown table. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').slice(0, 200);
const ms = (n: number | undefined): string =>
  n === undefined ? '' : n < 1000 ? `${n} ms` : n < 60_000 ? `${(n / 1000).toFixed(1)} s` : formatDuration(n);
const time = (iso: string | undefined): string => (iso ? iso.slice(11, 19) : '');

/** The issue body (or sticky comment): a header and one table row per step, in graph order. */
export function renderRunStatus(s: RunStatusState, o: { marker: string; runUrl?: string }): string {
  const status = s.status === 'running' ? 'running' : s.status;
  const link = o.runUrl ? ` · [workflow run](${o.runUrl})` : '';
  const rows = [...s.steps.values()].map(
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
