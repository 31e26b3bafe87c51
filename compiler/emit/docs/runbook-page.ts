import type { Root, RootContent } from 'mdast';
import type { IrGraph } from '../../../ir/types.js';
import { contactsSection } from './contacts.js';
import type { GraphPageContext } from './docs-context.js';
import { none, scalar, sortedEntries, yesNo } from './format.js';
import {
  heading,
  inlineCode,
  joinInline,
  list,
  markdownBlocks,
  page,
  paragraph,
  table,
} from '../../../common/markdown/mdast-builders.js';
import { stepGraphSection } from './diagram-section.js';
import { rtoSection } from './rto-table.js';
import { phaseSections } from './runbook-steps.js';
import { backupPlanSection } from './backup-plan-section.js';
import { runbookDrillsSection } from './drill-docs.js';
import { summaryBox } from './summary-box.js';
import { rollbackSection } from './rollback-section.js';
import { referenceSection } from './runbook-reference.js';
import { stepIndex } from './step-index.js';

/**
 * The page of one graph (a Runbook or a lowered BackupPlan), in the order an on-call engineer
 * needs it: the summary box (when, how to start, who approves, what cannot be undone, how long,
 * last drill), the inputs, the graph and its time budget, every step numbered "2.3", the
 * rollback, the people, and last the reference (facts, plan hash, sources, raw expressions).
 */
export function runbookPage(ctx: GraphPageContext, graph: IrGraph): Root {
  const steps = stepIndex(graph);
  // The description is the "When to use" of the summary unless the runbook says it separately.
  const describedApart = ctx.whenToUse(graph) !== undefined || graph.schedule !== undefined;
  return page([
    heading(1, graph.title),
    ...summaryBox(ctx, graph, steps),
    ...(describedApart ? markdownBlocks(graph.description) : []),
    ...backupPlanSection(ctx, graph),
    ...inputsSection(graph),
    ...secretsSection(graph),
    ...stepGraphSection(graph),
    ...rtoSection(graph),
    ...phaseSections(ctx, graph, steps),
    ...rollbackSection(graph, steps),
    ...contactsSection(ctx, graph.owner),
    // drills: a Runbook's drill records, newest first (BackupPlans are not drilled).
    ...(graph.origin.kind === 'Runbook' ? runbookDrillsSection(ctx.links, ctx.drills(graph.name)) : []),
    ...referenceSection(ctx, graph, steps),
  ]);
}

function inputsSection(graph: IrGraph): RootContent[] {
  const inputs = sortedEntries(graph.inputs);
  if (!inputs.length) return [];
  return [
    heading(2, 'Inputs'),
    table(
      ['Name', 'Type', 'Required', 'Default', 'Options', 'Description'],
      inputs.map(([name, input]) => [
        inlineCode(name),
        input.type,
        yesNo(input.required),
        input.default === undefined ? none : inlineCode(scalar(input.default)),
        input.options?.length ? joinInline(input.options.map((o) => inlineCode(String(o)))) : none,
        input.description ?? none,
      ]),
    ),
  ];
}

function secretsSection(graph: IrGraph): RootContent[] {
  if (!graph.secrets.length) return [];
  return [
    heading(2, 'Secrets'),
    paragraph('Names only; values come from the environment of the run and are redacted everywhere.'),
    list([...graph.secrets].sort().map((s) => inlineCode(s))),
  ];
}
