import type { Root, RootContent } from 'mdast';
import type { IrGraph } from '../../../ir/types.js';
import { contactsSection } from './contacts.js';
import type { GraphPageContext } from './docs-context.js';
import { approvalPolicy, duration, none, scalar, shortHash, sortedEntries, yesNo } from './format.js';
import {
  heading,
  inlineCode,
  joinInline,
  list,
  markdownBlocks,
  page,
  paragraph,
  strong,
  table,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { stepGraphSection } from './diagram-section.js';
import { rtoSection } from './rto-table.js';
import { phaseSections } from './runbook-steps.js';
import { backupPlanOf, backupPlanSection } from './backup-plan-section.js';
import { drillFactRows, runbookDrillsSection } from './drill-docs.js';
import { scheduleInline } from './schedule-inline.js';
import { isGate } from '../../../common/actions-catalog/index.js';

/**
 * The page of one graph (a Runbook or a lowered BackupPlan): what an on-call engineer needs
 * during the incident, top to bottom — facts, inputs, who to call, the graph, every step, RTO.
 */
export function runbookPage(ctx: GraphPageContext, graph: IrGraph): Root {
  return page([
    heading(1, graph.title),
    ...markdownBlocks(graph.description),
    heading(2, 'Facts'),
    factsTable(ctx, graph),
    // drills: a Runbook's drill records, newest first (BackupPlans are not drilled).
    ...(graph.origin.kind === 'Runbook' ? runbookDrillsSection(ctx.links, ctx.drills(graph.name)) : []),
    ...backupPlanSection(ctx, graph),
    ...inputsSection(graph),
    ...secretsSection(graph),
    ...approvalsSection(graph),
    ...contactsSection(ctx, graph.owner),
    ...stepGraphSection(graph),
    ...phaseSections(ctx, graph),
    ...rtoSection(graph),
  ]);
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

/** The run-level policy, then every gate of the graph (approval steps and steps with `approval`). */
function approvalsSection(graph: IrGraph): RootContent[] {
  const gates = graph.nodes.filter((n) => n.approval !== undefined || isGate(n.uses));
  if (!graph.approvals && !graph.environment && !gates.length) return [];
  const out: RootContent[] = [heading(2, 'Approvals')];
  if (graph.approvals) out.push(paragraph(strong('Policy:'), ' ', approvalPolicy(graph.approvals), '.'));
  if (graph.environment) {
    out.push(
      paragraph('The run also waits for the reviewers of the GitHub environment ', inlineCode(graph.environment), '.'),
    );
  }
  if (gates.length) {
    out.push(
      table(
        ['Step', 'Gate', 'Approvers', 'Required', 'Self-approval', 'Timeout', 'Message'],
        gates.map((n) => {
          const a = n.approval;
          return [
            inlineCode(n.id),
            isGate(n.uses) ? 'approval step' : 'before the step',
            a?.approvers.length ? joinInline(a.approvers.map((x) => inlineCode(x))) : none,
            a ? String(a.required) : none,
            a ? yesNo(a.selfApproval) : none,
            duration(a?.timeoutMs),
            a?.message ?? (typeof n.with.message === 'string' ? n.with.message : none),
          ];
        }),
      ),
    );
  }
  return out;
}
