import type { RootContent } from 'mdast';
import { approvalPolicy, duration, rtoStatus, shortHash } from '../emit/docs/format.js';
import {
  heading,
  inlineCode,
  joinInline,
  paragraph,
  strong,
  table,
  type Inline,
} from '../../common/markdown/mdast-builders.js';
import type { RtoFigures, RtoRow } from './diff-rto.js';
import type { ChangeKind, Gate, RunbookDiff } from './plan-diff.js';

/** How each kind of change is marked, in headings and step rows. */
export const changeIcon: Readonly<Record<ChangeKind, string>> = { added: '➕', removed: '➖', changed: '✏️' };
const changeMark = (kind: ChangeKind) => `${changeIcon[kind]} ${kind}`;

/** Column names of the step table; tests find columns by them. */
export const stepsHeader = ['Change', 'Step', 'Phase', 'Action', 'What changed'];
/** Column names of the RTO before/after table. */
export const rtoDiffHeader = ['Phase', 'Budget', 'Expected', 'Worst case', 'Status'];

/**
 * One changed runbook: what changed in its steps, gates, points of no return and RTO, and its new
 * plan hash. In `compact` form (a very large pull request) the step table becomes counts.
 */
export function runbookSection(d: RunbookDiff, compact: boolean): RootContent[] {
  const out: RootContent[] = [
    heading(4, changeIcon[d.kind], ' ', inlineCode(d.name), ' — ', d.title),
    paragraph(d.kind, ' · ', inlineCode(d.origin.file), ' · plan hash ', planHashChange(d.planHash)),
  ];
  if (d.regression) {
    out.push(paragraph('⚠️ ', strong(`RTO regression: ${regressionSummary(d)}`)));
  }
  out.push(...stepsPart(d, compact));
  if (d.settings.length)
    out.push(paragraph('Runbook settings changed: ', joinInline(d.settings.map((s) => inlineCode(s))), '.'));
  out.push(paragraph(strong('Approval gates'), ': ', beforeAfter(d.kind, d.gates, gateList)));
  out.push(paragraph(strong('Points of no return'), ': ', beforeAfter(d.kind, d.irreversible, idList)));
  // A removed runbook has no recovery time left to compare.
  if (d.kind !== 'removed') out.push(...rtoPart(d, compact));
  return out;
}

function planHashChange(h: RunbookDiff['planHash']): Inline[] {
  if (h.before && h.after) return [inlineCode(shortHash(h.before)), ' → ', inlineCode(h.after)];
  return [h.after ? inlineCode(h.after) : inlineCode(shortHash(h.before ?? ''))];
}

function stepsPart(d: RunbookDiff, compact: boolean): RootContent[] {
  const { added, removed, changed } = d.steps;
  const counts = `${added.length} added, ${changed.length} changed, ${removed.length} removed`;
  if (d.kind !== 'changed' || compact || added.length + removed.length + changed.length === 0) {
    const n = d.kind === 'added' ? added.length : removed.length;
    const total = d.kind === 'changed' ? counts : `${n} step${n === 1 ? '' : 's'}`;
    return [paragraph(strong('Steps'), `: ${total}.`)];
  }
  const row = (
    kind: ChangeKind,
    s: { id: string; title: string; phase: string; uses: string },
    fields: Inline = '',
  ) => [changeMark(kind), [inlineCode(s.id), ' ', s.title], s.phase, inlineCode(s.uses), fields];
  const rows: Inline[][] = [
    ...added.map((s) => row('added', s)),
    ...changed.map((s) => row('changed', s, joinInline(s.fields.map((f) => inlineCode(f))))),
    ...removed.map((s) => row('removed', s)),
  ];
  return [paragraph(strong('Steps'), `: ${counts}.`), table(stepsHeader, rows)];
}

function beforeAfter<T>(
  kind: ChangeKind,
  v: { before: T[]; after: T[]; changed: boolean },
  show: (items: readonly T[]) => Inline,
): Inline {
  if (kind === 'added') return show(v.after);
  if (kind === 'removed') return show(v.before);
  if (!v.changed) return ['unchanged (', show(v.after), ')'];
  return [strong('changed'), ' — before: ', show(v.before), '; after: ', show(v.after)];
}

function gateList(gates: readonly Gate[]): Inline {
  if (!gates.length) return 'none';
  return joinInline(
    gates.map((g) => [g.step === 'run' ? 'the whole run' : inlineCode(g.step), ` (${approvalPolicy(g.approval)})`]),
    '; ',
  );
}

function idList(ids: readonly string[]): Inline {
  return ids.length ? joinInline(ids.map((id) => inlineCode(id))) : 'none';
}

function rtoPart(d: RunbookDiff, compact: boolean): RootContent[] {
  const rows = (compact ? [] : d.rto.phases).map((r) => rtoRow(r, r.id));
  rows.push(rtoRow(d.rto.total, strong('Total')));
  return [paragraph(strong('Recovery time (RTO)')), table(rtoDiffHeader, rows)];
}

function rtoRow(r: RtoRow, label: Inline): Inline[] {
  const budget = (f?: RtoFigures) => duration(f?.budgetMs);
  return [
    label,
    pair(r.before && budget(r.before), r.after && budget(r.after)),
    measure(r, 'expectedMs', 'expected'),
    measure(r, 'worstCaseMs', 'worst-case'),
    flagged(
      pair(r.before && rtoStatus(r.before.status), r.after && rtoStatus(r.after.status)),
      r.regressions.includes('status'),
      '❌',
    ),
  ];
}

function measure(r: RtoRow, field: 'expectedMs' | 'worstCaseMs', regression: 'expected' | 'worst-case'): Inline {
  const b = r.before?.[field];
  const a = r.after?.[field];
  const delta =
    b !== undefined && a !== undefined && a !== b ? ` (${a > b ? '+' : '−'}${duration(Math.abs(a - b))})` : '';
  const text = pair(b === undefined ? undefined : duration(b), a === undefined ? undefined : duration(a)) + delta;
  return flagged(text, r.regressions.includes(regression), '⚠️');
}

/** `before → after`, or one value when they are equal or one side is missing. */
function pair(before: string | undefined, after: string | undefined): string {
  if (before === undefined) return after ?? '—';
  if (after === undefined) return `${before} → removed`;
  return before === after ? after : `${before} → ${after}`;
}

/** A regression stands out: an icon and bold. */
function flagged(text: string, regression: boolean, icon: string): Inline {
  return regression ? [`${icon} `, strong(text)] : text;
}

function regressionSummary(d: RunbookDiff): string {
  return [...d.rto.phases, d.rto.total]
    .filter((r) => r.regressions.length)
    .map((r) => `${r.id === 'total' ? 'total' : `phase ${r.id}`} (${r.regressions.join(', ')})`)
    .join('; ');
}
