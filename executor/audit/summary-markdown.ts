import type { Root, RootContent, TableRow } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { formatDuration as fmt } from '../../ir/duration.js';
import { approvalAuthenticity, parkedText, type AuditSummary } from './summary.js';
import { stepIcons } from './step-icons.js';

const text = (value: string) => ({ type: 'text' as const, value });
const code = (value: string) => ({ type: 'inlineCode' as const, value });
const cell = (...children: RootContent[]) => ({ type: 'tableCell' as const, children }) as TableRow['children'][number];
const row = (...cells: (string | RootContent)[]): TableRow => ({
  type: 'tableRow',
  children: cells.map((c) => (typeof c === 'string' ? cell(text(c)) : cell(c))) as TableRow['children'],
});

/**
 * The run as Markdown for the GitHub job summary ($GITHUB_STEP_SUMMARY): outcome against the
 * objectives, steps, approvals with identities, phases against budgets. Built as mdast.
 */
export function renderSummaryMarkdown(s: AuditSummary): string {
  const children: RootContent[] = [...headerNodes(s), stepsTable(s), ...approvalNodes(s), ...phaseNodes(s)];
  return unified()
    .use(remarkGfm)
    .use(remarkStringify, { bullet: '-', fences: true })
    .stringify({ type: 'root', children } as Root);
}

/** The outcome, who ran which plan, and the RTO against its objective. */
function headerNodes(s: AuditSummary): RootContent[] {
  const ok = s.outcome.status === 'succeeded';
  const flags = `${s.drill ? ' (drill)' : ''}${s.dryRun ? ' (dry run)' : ''}`;
  const { parked } = s.outcome;
  return [
    {
      type: 'heading',
      depth: 2,
      children: [
        text(
          `${ok ? '✅' : parked ? '⏸️' : '❌'} ${s.title ?? s.runbook}${flags}: ${parked ? parkedText(parked) : s.outcome.status}`,
        ),
      ],
    },
    {
      type: 'paragraph',
      children: [
        text('Run '),
        code(s.runId),
        text(` by ${s.initiator ?? s.actor}, plan `),
        code(s.planHash.slice(0, 12)),
        text(s.commit ? ', commit ' : ''),
        ...(s.commit ? [code(s.commit.slice(0, 12))] : []),
        text(s.outcome.durationMs !== undefined ? `, ${fmt(s.outcome.durationMs)}` : ''),
        text(
          s.rto.objectiveMs !== undefined
            ? ` · RTO ${s.rto.measuredMs !== undefined ? fmt(s.rto.measuredMs) : 'not reached'} of ${fmt(s.rto.objectiveMs)} ${s.rto.met ? '✅' : '❌'}`
            : '',
        ),
      ],
    },
  ];
}

function stepsTable(s: AuditSummary): RootContent {
  return {
    type: 'table',
    children: [
      row('Step', 'Status', 'Duration', 'Attempts'),
      ...s.steps.map((st) =>
        row(
          code(st.stepId),
          `${stepIcons[st.status]} ${st.status}`,
          st.durationMs !== undefined ? fmt(st.durationMs) : '—',
          String(st.attempts),
        ),
      ),
    ],
  };
}

function approvalNodes(s: AuditSummary): RootContent[] {
  if (!s.approvals.length) return [];
  return [
    { type: 'heading', depth: 3, children: [text('Approvals')] },
    {
      type: 'table',
      children: [
        row('Step', 'Decision', 'Who', 'Source', 'When'),
        ...s.approvals.map((a) =>
          row(
            code(a.stepId),
            a.decision === 'granted'
              ? `✅ granted${approvalAuthenticity(a) ? `, ${approvalAuthenticity(a)}` : ''}`
              : `❌ ${a.reason ?? 'refused'}`,
            a.approver ?? '—',
            a.source,
            a.at,
          ),
        ),
      ],
    },
  ];
}

function phaseNodes(s: AuditSummary): RootContent[] {
  if (!s.phases.length) return [];
  return [
    { type: 'heading', depth: 3, children: [text('Phases')] },
    {
      type: 'table',
      children: [
        row('Phase', 'Measured', 'Budget', ''),
        ...s.phases.map((p) =>
          row(
            code(p.id),
            p.durationMs !== undefined ? fmt(p.durationMs) : '—',
            p.budgetMs !== undefined ? fmt(p.budgetMs) : '—',
            p.status === 'over' ? '❌ over' : p.status === 'ok' ? '✅' : p.status,
          ),
        ),
      ],
    },
  ];
}
