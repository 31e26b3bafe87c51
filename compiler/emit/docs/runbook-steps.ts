import type { RootContent } from 'mdast';
import { stringify } from 'yaml';
import { formatDuration } from '../../../ir/duration.js';
import type { IrBody, IrGraph, IrNode, IrPhase, IrRetry } from '../../../ir/types.js';
import type { GraphPageContext } from './docs-context.js';
import { approvalPolicy, duration, sortedEntries, yesNo } from './format.js';
import {
  code,
  heading,
  inlineCode,
  joinInline,
  list,
  markdownBlocks,
  paragraph,
  strong,
  table,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { actionDetails } from './step-details.js';
import { isGate, isShell } from '../../../common/actions-catalog/index.js';

/** One section per phase (heading with its budget), each step under it in phase order. */
export function phaseSections(ctx: GraphPageContext, graph: IrGraph): RootContent[] {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  return graph.phases.flatMap((phase, i) => [
    heading(
      2,
      `Phase ${i + 1}: ${phase.title}`,
      phase.budgetMs !== undefined ? ` (budget ${formatDuration(phase.budgetMs)})` : '',
    ),
    paragraph(inlineCode(phase.id), ' · ', phaseOrder(phase)),
    ...(phase.finally
      ? [
          paragraph(
            'Runs after the phases end, whatever the outcome (after any rollback); ',
            inlineCode('run.status'),
            ' is their outcome. A failing step here fails the run but does not stop the others; nothing here is rolled back.',
          ),
        ]
      : []),
    ...markdownBlocks(phase.description),
    ...phase.steps.flatMap((id) => {
      const node = nodes.get(id);
      return node ? stepBlocks(ctx, graph, node) : [];
    }),
  ]);
}

function phaseOrder(phase: IrPhase): Inline {
  return phase.parallel
    ? ['parallel: steps without ', inlineCode('needs'), ' start together']
    : ['in order: each step waits for the one before it unless ', inlineCode('needs'), ' says otherwise'];
}

/** A step: heading, marks, facts, what it runs, then its gate, rollback, outputs and asserts. */
function stepBlocks(ctx: GraphPageContext, graph: IrGraph, node: IrNode): RootContent[] {
  return [
    heading(3, node.title),
    paragraph(...marks(graph, node)),
    ...markdownBlocks(node.description),
    list(stepFacts(node)),
    ...bodyBlocks(node),
    ...envBlocks(node.env),
    ...actionDetails(ctx, graph, node),
    ...gateBlocks(node),
    ...rollbackBlocks(node),
    ...outputBlocks(node),
  ];
}

function marks(graph: IrGraph, node: IrNode): Inline[] {
  const out: Inline[] = [inlineCode(node.id)];
  if (node.irreversible) out.push(' · ', strong('⛔ point of no return'), ' (rollback stops here)');
  if (isGate(node.uses) || node.approval) out.push(' · ', strong('🔐 approval gate'));
  if (node.recovery) out.push(' · ', strong('✓ recovery point'), ' (service is restored after this step)');
  if (graph.rto.criticalPath.includes(node.id)) out.push(' · on the critical path');
  return out;
}

function stepFacts(node: IrNode): Inline[] {
  const facts: Inline[] = [
    [strong('Action:'), ' ', inlineCode(node.uses)],
    [strong('Needs:'), ' ', node.needs.length ? joinInline(node.needs.map((n) => inlineCode(n))) : 'phase start'],
  ];
  if (node.if !== undefined) facts.push([strong('Runs if:'), ' ', inlineCode(node.if)]);
  facts.push([strong('Timeout:'), ' ', duration(node.timeoutMs)]);
  facts.push([strong('Retries:'), ' ', retryText(node.retry)]);
  facts.push([strong('Estimate:'), ' ', duration(node.estimateMs)]);
  facts.push([strong('Idempotent:'), ' ', yesNo(node.idempotent)]);
  if (node.onFailure) facts.push([strong('On failure:'), ' ', inlineCode(node.onFailure)]);
  facts.push([strong('Source:'), ' ', inlineCode(`${node.source.file}:${node.source.line}`)]);
  return facts;
}

function retryText(retry: IrRetry | undefined): string {
  if (!retry || retry.attempts <= 1) return 'none';
  const cap = retry.maxDelayMs !== undefined ? `, at most ${formatDuration(retry.maxDelayMs)}` : '';
  return `${retry.attempts} attempts, ${formatDuration(retry.delayMs)} ${retry.backoff} delay${cap}`;
}

/**
 * What runs: a shell script as a ```sh block, other parameters as YAML exactly as written
 * (templates are rendered at plan time, never here).
 */
export function bodyBlocks(body: Pick<IrBody, 'uses' | 'with'>): RootContent[] {
  const { script, ...rest } = body.with as { script?: unknown } & Record<string, unknown>;
  const out: RootContent[] = [];
  if (isShell(body.uses) && typeof script === 'string') out.push(code('sh', script));
  const params = isShell(body.uses) ? rest : body.with;
  if (Object.keys(params).length) out.push(code('yaml', stringify(params, { lineWidth: 0 })));
  return out;
}

function envBlocks(env: Record<string, string>): RootContent[] {
  const entries = sortedEntries(env);
  if (!entries.length) return [];
  return [
    table(
      ['Environment variable', 'Value (template)'],
      entries.map(([k, v]) => [inlineCode(k), inlineCode(v)]),
    ),
  ];
}

function gateBlocks(node: IrNode): RootContent[] {
  if (!node.approval) return [];
  const where = isGate(node.uses)
    ? 'This step waits for approval'
    : 'Before this step starts, the run waits for approval';
  const message = node.approval.message ?? (typeof node.with.message === 'string' ? node.with.message : undefined);
  return [
    paragraph(strong('🔐 Approval:'), ` ${where}: ${approvalPolicy(node.approval)}.`),
    ...(message ? [paragraph('Approvers see: ', inlineCode(message))] : []),
  ];
}

function rollbackBlocks(node: IrNode): RootContent[] {
  if (!node.rollback) return [];
  const rb = node.rollback;
  return [
    paragraph(
      strong('↩️ Rollback:'),
      ' on rollback this runs ',
      inlineCode(rb.uses),
      rb.timeoutMs !== undefined ? ` (timeout ${formatDuration(rb.timeoutMs)})` : '',
      ':',
    ),
    ...bodyBlocks(rb),
    ...envBlocks(rb.env),
  ];
}

function outputBlocks(node: IrNode): RootContent[] {
  const out: RootContent[] = [];
  const outputs = sortedEntries(node.outputs);
  if (outputs.length)
    out.push(
      table(
        ['Output', 'Expression'],
        outputs.map(([k, v]) => [inlineCode(k), inlineCode(v)]),
      ),
    );
  if (node.assert.length) out.push(paragraph(strong('Asserts:')), list(node.assert.map((a) => inlineCode(a))));
  return out;
}
