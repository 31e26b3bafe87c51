import type { RootContent } from 'mdast';
import type { IrGraph, IrNode } from '../../../ir/types.js';
import { referenceParam, type ReferenceKind } from '../../../common/actions-catalog/index.js';
import { hasTemplate } from '../../expressions/parse-template.js';
import type { GraphPageContext } from './docs-context.js';
import { templateInWords } from './expression-words.js';
import type { StepIndex } from './step-index.js';
import { scalar, sortedEntries } from './format.js';
import { checklistPage, graphPage, templatePage } from './links.js';
import {
  heading,
  inlineCode,
  joinInline,
  paragraph,
  strong,
  table,
  taskList,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';

type Details = (ctx: GraphPageContext, graph: IrGraph, node: IrNode, param: string, steps: StepIndex) => RootContent[];

/**
 * What a step's page says about the document or role it names, by what its action's schema says
 * it names (`x-references`, common/actions-catalog/), not by action id: the items of a Checklist
 * (`checklist`), the Template sent (`notify`), the runbook called (`runbook`), the assignee's role
 * (`manual`). An action naming nothing gets no details.
 */
const detailsOf: Readonly<Record<ReferenceKind, Details>> = {
  Checklist: (ctx, _graph, node, param) => checklistDetails(ctx, node, param),
  Template: (ctx, _graph, node, param, steps) => notifyDetails(ctx, node, param, steps),
  Runbook: runbookDetails,
  Role: (ctx, _graph, node, param) => roleDetails(ctx, node, param),
};

/** Action-specific details: checklist items, the notification sent, the runbook called, the manual task. */
export function actionDetails(ctx: GraphPageContext, graph: IrGraph, node: IrNode, steps: StepIndex): RootContent[] {
  for (const kind of Object.keys(detailsOf) as ReferenceKind[]) {
    const param = referenceParam(node.uses, kind);
    if (param !== undefined) return detailsOf[kind](ctx, graph, node, param, steps);
  }
  return [];
}

/** A named Checklist's sections (and a link to its page), or the inline items. */
function checklistDetails(ctx: GraphPageContext, node: IrNode, param: string): RootContent[] {
  const name = node.with[param];
  if (typeof name === 'string') {
    const doc = hasTemplate(name) ? undefined : ctx.checklist(name);
    const out: RootContent[] = [
      paragraph(strong('Checklist:'), ' ', doc ? ctx.links.to(checklistPage(name), name) : inlineCode(name)),
    ];
    for (const section of doc?.sections ?? []) {
      out.push(heading(4, section.title), taskList(section.items.map((item) => itemInline(item.text, item.check))));
    }
    return out;
  }
  const items = Array.isArray(node.with.items) ? node.with.items : [];
  return [
    paragraph(strong('Checklist:')),
    taskList(
      items.map((item) => (typeof item === 'string' ? item : itemInline(String(item?.text ?? ''), item?.check))),
    ),
  ];
}

/** An item's text, and the step whose success confirms it when it is bound to a check. */
export function itemInline(text: string, check: unknown): Inline {
  return typeof check === 'string' ? [text, ' (checked by step ', inlineCode(check), ')'] : text;
}

function notifyDetails(ctx: GraphPageContext, node: IrNode, param: string, steps: StepIndex): RootContent[] {
  const name = node.with[param];
  const known = typeof name === 'string' && ctx.hasTemplateNamed(name);
  const audience = Array.isArray(node.with.audience) ? node.with.audience.map(String) : [];
  const out: RootContent[] = [
    paragraph(
      strong('Sends:'),
      ' ',
      known ? ctx.links.to(templatePage(name as string), name as string) : inlineCode(scalar(name)),
      ' to ',
      audience.length ? joinInline(audience.map((a) => inlineCode(a))) : "the Template's default audience",
    ),
  ];
  const vars = sortedEntries(node.with.vars as Record<string, unknown> | undefined);
  if (vars.length)
    out.push(
      table(
        ['Variable', 'Value'],
        vars.map(([k, v]) => [inlineCode(k), valueInWords(v, steps)]),
      ),
    );
  return out;
}

function runbookDetails(
  ctx: GraphPageContext,
  graph: IrGraph,
  node: IrNode,
  param: string,
  steps: StepIndex,
): RootContent[] {
  const name = node.with[param];
  if (typeof name !== 'string') return [];
  const target = ctx.runbook(name);
  const label = target ? ctx.links.to(graphPage(target), target.title) : inlineCode(name);
  const inputs = sortedEntries(node.with.inputs as Record<string, unknown> | undefined);
  return [
    paragraph(strong('Runs runbook:'), ' ', label, name === graph.name ? ' (itself)' : ''),
    ...(inputs.length
      ? [
          table(
            ['Input', 'Value'],
            inputs.map(([k, v]) => [inlineCode(k), valueInWords(v, steps)]),
          ),
        ]
      : []),
  ];
}

/** A parameter value: a template in words, any other value as written. */
function valueInWords(value: unknown, steps: StepIndex): Inline {
  return typeof value === 'string' && hasTemplate(value) ? templateInWords(value, steps) : inlineCode(scalar(value));
}

/** The Directory role a person-run step (`manual`) is assigned to. */
function roleDetails(ctx: GraphPageContext, node: IrNode, param: string): RootContent[] {
  const role = node.with[param];
  if (typeof role !== 'string') return [];
  const found = ctx.directory?.roles?.[role];
  return [paragraph(strong('Assignee:'), ' ', found?.title ?? role, ' ', inlineCode(role))];
}
