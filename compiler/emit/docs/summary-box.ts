import type { BlockContent, RootContent } from 'mdast';
import type { IrGraph, IrInput } from '../../../ir/types.js';
import { formatDuration } from '../../../ir/duration.js';
import type { GraphPageContext } from './docs-context.js';
import { drillFactRows } from './drill-docs.js';
import { duration, rtoStatus, scalar, sortedEntries } from './format.js';
import {
  code,
  heading,
  inlineCode,
  joinInline,
  link,
  list,
  markdownBlocks,
  paragraph,
  strong,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { approversItem } from './summary-approvers.js';
import type { StepIndex } from './step-index.js';
import { scheduleInline } from './schedule-inline.js';

/** The heading of the box; tests and the browser check find the first screen by it. */
export const summaryHeading = 'At a glance';

type Item = Inline | BlockContent[];

/**
 * The first screen of a graph's page, for the reader in a hurry: when to use it, how to start
 * it, who approves, what cannot be undone, how long it may take, and when it was last drilled.
 * Everything else on the page is detail of one of these.
 */
export function summaryBox(ctx: GraphPageContext, graph: IrGraph, steps: StepIndex): RootContent[] {
  const items: Item[] = [
    whenItem(ctx, graph),
    startItem(ctx, graph),
    approversItem(ctx, graph, steps),
    pointOfNoReturnItem(graph, steps),
    timeItem(graph),
    ...(graph.origin.kind === 'Runbook' ? [drilledItem(ctx, graph)] : []),
  ];
  return [heading(2, summaryHeading), list(items)];
}

/** `metadata.whenToUse`, else the description (then not repeated under the title). */
function whenItem(ctx: GraphPageContext, graph: IrGraph): Item {
  const text = ctx.whenToUse(graph) ?? graph.description;
  const label = strong('When to use:');
  if (graph.schedule && !ctx.whenToUse(graph)) {
    return [label, ' runs on its own on the schedule ', scheduleInline(graph.schedule, graph.name), ' (UTC).'];
  }
  const blocks = markdownBlocks(text) as BlockContent[];
  const first = blocks[0];
  if (first?.type !== 'paragraph') return [paragraph(label, ' not stated.'), ...blocks];
  return [{ ...first, children: [label, { type: 'text', value: ' ' }, ...first.children] }, ...blocks.slice(1)];
}

/** The workflow to dispatch, and the same run from a terminal with the inputs it cannot do without. */
function startItem(ctx: GraphPageContext, graph: IrGraph): Item {
  // A BackupPlan without a schedule gets no workflow (workflows/backup-workflow.ts).
  const file =
    graph.origin.kind === 'Runbook'
      ? `runbook-${graph.name}.yml`
      : graph.schedule !== undefined
        ? `backup-${graph.name}.yml`
        : undefined;
  const required = sortedEntries(graph.inputs).filter(([, i]) => i.required && i.default === undefined);
  const optional = sortedEntries(graph.inputs).filter(([, i]) => !(i.required && i.default === undefined));
  const args = required.map(([name, input]) => ` --input ${name}="${placeholder(name, input)}"`).join('');
  return [
    paragraph(
      strong('How to start:'),
      ' ',
      file ? [ctx.links.workflow(file, 'Run workflow ', inlineCode(file)), ' (GitHub Actions), or'] : '',
      ' from a terminal:',
    ),
    code('sh', `runbook run ${graph.name}${args}`),
    ...(graph.origin.kind === 'Runbook' && graph.schedule !== undefined
      ? [
          paragraph(
            'Also runs on the schedule ',
            scheduleInline(graph.schedule, graph.name),
            ' (UTC), each input at its default.',
          ),
        ]
      : []),
    paragraph(
      required.length ? ['Required: ', joinInline(required.map(([n]) => inlineCode(n))), '. '] : 'No required input. ',
      optional.length
        ? ['Optional: ', joinInline(optional.map(([n, i]) => [inlineCode(n), ` (${defaultText(i)})`])), '. ']
        : '',
      'Add ',
      inlineCode('--dry-run'),
      ' to rehearse without effects.',
    ),
  ];
}

function placeholder(name: string, input: IrInput): string {
  return input.options?.length ? input.options.join('|') : `<${name}>`;
}

function defaultText(input: IrInput): string {
  return input.default === undefined ? 'no default' : `default ${scalar(input.default)}`;
}

/** The irreversible steps, linked; none means a rollback can always go back to the start. */
function pointOfNoReturnItem(graph: IrGraph, steps: StepIndex): Inline {
  const points = graph.nodes.filter((n) => n.irreversible && !n.finally);
  const label = strong('⛔ Point of no return:');
  if (!points.length) {
    return [label, ' none: no step is marked irreversible (see ', link('#rollback', 'Rollback'), ').'];
  }
  return [
    label,
    ' ',
    joinInline(points.map((n) => link(`#${steps.anchor(n.id)}`, `${steps.number(n.id)} ${n.title}`))),
    '. Once ',
    points.length === 1 ? 'it has' : 'one has',
    ' run, a rollback stops there: what ran before it stays as it is (',
    link('#rollback', 'Rollback'),
    ').',
  ];
}

/** Phase budgets against the RTO, with the expected and worst-case totals of the critical path. */
function timeItem(graph: IrGraph): Inline {
  const { rto } = graph;
  const budgets = graph.phases.flatMap((p, i) =>
    p.budgetMs === undefined ? [] : [`${i + 1}. ${p.title} ${formatDuration(p.budgetMs)}`],
  );
  const total = graph.phases.reduce((sum, p) => sum + (p.budgetMs ?? 0), 0);
  return [
    strong('Time:'),
    ' ',
    rto.rtoMs === undefined ? 'no RTO objective' : `RTO ${formatDuration(rto.rtoMs)}`,
    budgets.length ? `; phase budgets ${budgets.join(', ')}` : '; no phase budgets',
    total ? ` (${formatDuration(total)} in all)` : '',
    `; expected ${duration(rto.expectedMs)}, worst case ${duration(rto.worstCaseMs)}`,
    // Without an objective there is nothing to be within (the analysis says "ok" regardless).
    rto.rtoMs === undefined ? '.' : `: ${rtoStatus(rto.status)}.`,
  ];
}

/** "Last drilled" and the drill freshness, as on the drill pages (drill-docs.ts). */
function drilledItem(ctx: GraphPageContext, graph: IrGraph): Inline {
  const rows = drillFactRows(ctx.links, ctx.drills(graph.name));
  return joinInline(
    rows.map(([label, value], i) => [i === 0 ? strong(`${label}:`) : `${label}:`, ' ', value]),
    '. ',
  );
}
