import type { RootContent } from 'mdast';
import type { IrGraph, IrNode } from '../../../ir/types.js';
import { hasTemplate } from '../../expressions/parse-template.js';
import type { GraphPageContext } from './docs-context.js';
import { backupPlanOf } from './backup-plan-section.js';
import { drillFactRows } from './drill-docs.js';
import { duration, none, shortHash, sortedEntries } from './format.js';
import { heading, inlineCode, joinInline, table, type Inline } from '../../../common/markdown/mdast-builders.js';
import { scheduleInline } from './schedule-inline.js';
import type { StepIndex } from './step-index.js';

/** The heading of the page's last part; everything under it is for reviewers, not the incident. */
export const referenceHeading = 'Reference';

/**
 * The end of a graph's page: the facts table, the plan hash, where each step is written, and
 * every expression exactly as written (the steps above say them in words).
 */
export function referenceSection(ctx: GraphPageContext, graph: IrGraph, steps: StepIndex): RootContent[] {
  const expressions = graph.nodes.flatMap((n) => expressionRows(n, steps));
  return [
    heading(2, referenceHeading),
    heading(3, 'Facts'),
    factsTable(ctx, graph),
    heading(3, 'Step sources'),
    table(
      ['Step', 'Id', 'Action', 'Source'],
      graph.nodes.map((n) => [
        steps.number(n.id) ?? none,
        inlineCode(n.id),
        inlineCode(n.uses),
        inlineCode(`${n.source.file}:${n.source.line}`),
      ]),
    ),
    ...(expressions.length
      ? [heading(3, 'Expressions as written'), table(['Step', 'Where', 'Expression'], expressions)]
      : []),
  ];
}

function factsTable(ctx: GraphPageContext, graph: IrGraph): RootContent {
  // A lowered BackupPlan keeps its tier in the plan's spec, not in the graph's metadata.
  const tierId = graph.tier ?? (graph.origin.kind === 'BackupPlan' ? backupPlanOf(ctx, graph.name)?.tier : undefined);
  const tier = tierId ? ctx.directory?.tiers?.[tierId] : undefined;
  const rows: [string, Inline][] = [
    ['Name', inlineCode(graph.name)],
    ['Kind', graph.origin.kind],
    ['Owner', graph.owner ? inlineCode(graph.owner) : none],
    [
      'Tier',
      tierId ? [tierId, tier ? ` (tier objectives: RTO ${tier.rto ?? none}, RPO ${tier.rpo ?? none})` : ''] : none,
    ],
    ['Source', inlineCode(graph.origin.file)],
    ['RTO objective', duration(graph.objectives.rtoMs)],
    ['RPO objective', duration(graph.objectives.rpoMs)],
    ['Environment', graph.environment ? inlineCode(graph.environment) : none],
    ['Concurrency', graph.concurrency ? inlineCode(graph.concurrency) : none],
    ['On failure', inlineCode(graph.onFailure)],
    ...(graph.schedule
      ? [['Schedule (cron, UTC)', scheduleInline(graph.schedule, graph.name)] as [string, Inline]]
      : []),
    ['Tags', graph.tags.length ? joinInline(graph.tags.map(inlineCode)) : none],
    ['Plan hash', inlineCode(shortHash(graph.planHash))],
    // drills: "Last drilled" / "Never drilled" and when the next drill is due.
    ...(graph.origin.kind === 'Runbook' ? drillFactRows(ctx.links, ctx.drills(graph.name)) : []),
  ];
  return table(['Fact', 'Value'], rows);
}

/** Every template of a step, by where it is written: `if`, `with.x`, `env.X`, `outputs.y`, `assert`, gate message. */
function expressionRows(node: IrNode, steps: StepIndex): Inline[][] {
  const found: [string, string][] = [];
  if (node.if !== undefined) found.push(['if', node.if]);
  collect('with', node.with, found);
  for (const [k, v] of sortedEntries(node.env)) found.push([`env.${k}`, v]);
  for (const [k, v] of sortedEntries(node.outputs)) found.push([`outputs.${k}`, v]);
  node.assert.forEach((a, i) => found.push([`assert[${i}]`, a]));
  if (node.approval?.message !== undefined) found.push(['approval.message', node.approval.message]);
  if (node.rollback) collect('rollback.with', node.rollback.with, found);
  const label = `${steps.number(node.id) ?? ''} ${node.id}`.trim();
  return found.filter(([, v]) => hasTemplate(v)).map(([where, v]) => [label, inlineCode(where), inlineCode(v)]);
}

function collect(path: string, value: unknown, out: [string, string][]): void {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => collect(`${path}[${i}]`, v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of sortedEntries(value as Record<string, unknown>)) collect(`${path}.${k}`, v, out);
  }
}
