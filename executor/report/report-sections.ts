import type { List, RootContent } from 'mdast';
import {
  heading,
  inlineCode,
  link,
  list,
  paragraph,
  strong,
  table,
  type Inline,
} from '../../common/markdown/mdast-builders.js';
import type { RunEvents } from '../core/events.js';
import type { AuditRecord } from '../audit/record.js';
import { currentRollback, foldRun } from '../run-state/fold-run.js';
import { approvalAuthenticity, type ApprovalSummary, type AuditSummary } from '../audit/summary.js';
import { dur, stepStatusText, when } from './format.js';

/**
 * The evidence sections of the report: approvals with identities, failures and retries, the
 * rollback and the confirmed checklist items. Each says so in words when it has nothing to
 * show, so an empty section reads as "checked, none" rather than "forgot to look".
 */

/** Who approved or refused which step, through which channel, when and why. */
export function approvalsSection(s: AuditSummary): RootContent[] {
  if (s.approvals.length === 0) return [heading(2, 'Approvals'), paragraph('No step needed an approval in this run.')];
  const rows = s.approvals.map((a): Inline[] => [
    inlineCode(a.stepId),
    a.decision === 'granted'
      ? `✅ granted${approvalAuthenticity(a) ? `, ${approvalAuthenticity(a)}` : ''}`
      : '❌ refused',
    a.approver ?? 'unknown',
    source(a),
    when(a.at),
    a.reason ?? (a.count !== undefined && a.required !== undefined ? `${a.count} of ${a.required} required` : '—'),
  ]);
  return [heading(2, 'Approvals'), table(['Step', 'Decision', 'Approver', 'Source', 'Time', 'Reason'], rows)];
}

function source(a: ApprovalSummary): Inline {
  if (!a.reference) return a.source;
  return /^https:\/\//.test(a.reference) ? link(a.reference, a.source) : [a.source, ' (', inlineCode(a.reference), ')'];
}

/** Every failed attempt with its (already masked) error, then each such step's final status. */
export function failuresSection(s: AuditSummary): RootContent[] {
  const bad = new Set(['failed', 'timed-out', 'cancelled']);
  const rows: Inline[][] = s.steps
    .filter((st) => st.retries.length > 0 || bad.has(st.status))
    .flatMap((st) => [
      ...st.retries.map((r): Inline[] => [
        inlineCode(st.stepId),
        String(r.attempt),
        when(r.at),
        `↻ failed, retried after ${dur(r.delayMs)}`,
        r.error,
      ]),
      [
        inlineCode(st.stepId),
        String(st.attempts),
        when(st.endedAt),
        `${stepStatusText(st.status)}${st.status === 'timed-out' ? ` after ${dur(st.durationMs)}` : ''} (final)`,
        st.error ?? st.reason ?? '—',
      ],
    ]);
  const out: RootContent[] = [heading(2, 'Failures and retries')];
  out.push(
    rows.length
      ? table(['Step', 'Attempt', 'Time', 'Result', 'Error'], rows)
      : paragraph('No failed attempts: every step that ran succeeded on its first attempt.'),
  );
  if (s.outcome.error) out.push(paragraph(strong('The run ended with an error:'), ' ', s.outcome.error));
  if (s.outcome.interruptedBy) out.push(paragraph(strong('Interrupted'), ` by ${s.outcome.interruptedBy}.`));
  if (s.decisions.length) {
    out.push(
      paragraph('Operator decisions:'),
      list(
        s.decisions.map((d) => [
          inlineCode(d.stepId),
          `: ${d.decision} by ${d.by} at ${when(d.at)}`,
          d.reason ? ` (${d.reason})` : '',
        ]),
      ),
    );
  }
  return out;
}

/**
 * What was compensated, in the order it ran, and where and why the rollback stopped. Read from
 * the records: the summary keeps neither the planned order nor the step it stopped at.
 */
export function rollbackSection(records: readonly AuditRecord[]): RootContent[] {
  const run = foldRun(records);
  const rollback = currentRollback(run);
  // Every compensation in the log, the last of each step winning (a resumed run may roll back again).
  const done = new Map<string, RunEvents['rollback:step']>();
  for (const r of run.rollbacks) for (const step of r.steps) done.set(step.stepId, step);
  const out: RootContent[] = [heading(2, 'Rollback')];
  if (!rollback) return [...out, paragraph('No rollback ran.')];
  const end = rollback.end;
  out.push(paragraph(`Started at ${when(rollback.started.at)} because: `, rollback.reason));
  const order = [...new Set([...done.keys(), ...rollback.planned])];
  if (order.length) {
    out.push(
      paragraph('Compensations, in reverse order of completion (the order they run):'),
      list(
        order.map((id) => {
          const step = done.get(id);
          const what = !step
            ? '⏭️ not compensated: the rollback stopped before it'
            : step.status === 'succeeded'
              ? '✅ compensated'
              : `${stepStatusText(step.status)}: ${step.error ?? 'no error recorded'}`;
          return [inlineCode(id), ` — ${what}`];
        }),
        true,
      ),
    );
  } else out.push(paragraph('No completed step had a compensation to run.'));
  out.push(stopParagraph(end));
  return out;
}

function stopParagraph(end: RunEvents['rollback:end'] | undefined): RootContent {
  if (!end) return paragraph('⏳ The log ends before the rollback did.');
  if (end.status === 'complete')
    return paragraph('✅ Rollback complete: every completed step with a compensation was undone.');
  const at = end.stoppedAt ? inlineCode(end.stoppedAt) : 'an unrecorded step';
  return end.status === 'stopped-at-irreversible'
    ? paragraph(
        strong('⛔ Stopped at ', at, ': it is irreversible.'),
        ' It is a point of no return, so it and every step completed before it stay in place; undoing them is manual work.',
      )
    : paragraph(
        strong('❌ Stopped at ', at, ': its compensation failed.'),
        ' The rollback stopped rather than compensate further on top of an unknown state.',
      );
}

/** Each confirmed checklist item with who confirmed it and when, grouped by step. */
export function checklistsSection(s: AuditSummary): RootContent[] {
  const out: RootContent[] = [heading(2, 'Checklists')];
  if (s.checklist.length === 0) return [...out, paragraph('No checklist items were confirmed in this run.')];
  const bySteps = new Map<string, AuditSummary['checklist']>();
  for (const item of s.checklist) bySteps.set(item.stepId, [...(bySteps.get(item.stepId) ?? []), item]);
  for (const [stepId, items] of bySteps) {
    out.push(
      heading(3, inlineCode(stepId)),
      checkedList(items.map((i) => [i.text, ` — confirmed by ${i.confirmedBy} at ${when(i.at)}`])),
    );
  }
  return out;
}

/** A task list with every item ticked: these are confirmations, not a to-do. */
function checkedList(items: readonly Inline[]): List {
  const l = list(items);
  return { ...l, children: l.children.map((item) => ({ ...item, checked: true })) };
}
