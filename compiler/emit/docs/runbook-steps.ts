import type { RootContent } from 'mdast';
import { formatDuration } from '../../../ir/duration.js';
import type { IrBody, IrGraph, IrNode, IrPhase, IrRetry } from '../../../ir/types.js';
import type { GraphPageContext } from './docs-context.js';
import { duration, sortedEntries } from './format.js';
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
  table,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { actionDetails } from './step-details.js';
import { asksConfirmation, isGate, isShell, referenceParam } from '../../../common/actions-catalog/index.js';
import type { StepIndex } from './step-index.js';
import { conditionInWords, mapStrings, templateInWords, templatePlain } from './expression-words.js';
import { rerunText } from './step-rerun.js';
import { gateBlocks } from './step-gate.js';
import { fallbacksOf } from './step-fallback.js';
import { yamlText } from './yaml-text.js';

/** One section per phase (heading with its budget), each step under it, numbered "2.3". */
export function phaseSections(ctx: GraphPageContext, graph: IrGraph, steps: StepIndex): RootContent[] {
  return graph.phases.flatMap((phase, i) => [
    heading(
      2,
      `Phase ${i + 1}: ${phase.title}`,
      phase.budgetMs !== undefined ? ` (budget ${formatDuration(phase.budgetMs)})` : '',
    ),
    paragraph(phaseOrder(phase)),
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
      const node = steps.node(id);
      return node ? stepBlocks(ctx, graph, node, steps) : [];
    }),
  ]);
}

function phaseOrder(phase: IrPhase): Inline {
  return phase.parallel
    ? 'Steps start together at phase start unless they wait for another step (“after”).'
    : 'Steps run in order: each waits for the one before it unless it says otherwise.';
}

/** A step: numbered heading with its anchor, marks, instruction, facts, command, details, gate, asserts. */
function stepBlocks(ctx: GraphPageContext, graph: IrGraph, node: IrNode, steps: StepIndex): RootContent[] {
  return [
    heading(3, anchorHtml(steps.anchor(node.id)), `${steps.number(node.id)} ${node.title}`),
    paragraph(...marks(graph, node)),
    ...markdownBlocks(node.description),
    ...instructionBlocks(node, steps),
    list(stepFacts(graph, node, steps)),
    ...bodyBlocks(node, steps),
    ...envBlocks(node.env, steps),
    ...actionDetails(ctx, graph, node, steps),
    ...gateBlocks(ctx, node, steps),
    ...assertBlocks(node, steps),
  ];
}

function anchorHtml(id: string): Inline {
  return { type: 'html', value: `<a id="${id}"></a>` };
}

function marks(graph: IrGraph, node: IrNode): Inline[] {
  const out: Inline[] = [inlineCode(node.id)];
  if (node.irreversible) out.push(' · ', strong('⛔ point of no return'), ' (rollback stops here)');
  if (isGate(node.uses) || node.approval) out.push(' · ', strong('🔐 approval gate'));
  if (node.recovery) out.push(' · ', strong('✓ recovery point'), ' (service is restored after this step)');
  if (node.rollback) out.push(' · ', link('#rollback', '↩️ can be undone'));
  if (graph.rto.criticalPath.includes(node.id)) out.push(' · on the critical path');
  return out;
}

/** What a person is asked to do (a confirm step's `instruction`), as Markdown rather than a YAML string. */
function instructionBlocks(node: IrNode, steps: StepIndex): RootContent[] {
  const text = node.with.instruction;
  if (!asksConfirmation(node.uses) || typeof text !== 'string') return [];
  // Expressions become inline code placeholders: `<` would otherwise read as HTML.
  const markdown = templatePlain(text, steps).replace(/<([^<>\n]+)>/g, '`$1`');
  return [paragraph(strong('Instruction:')), ...markdownBlocks(markdown)];
}

function stepFacts(graph: IrGraph, node: IrNode, steps: StepIndex): Inline[] {
  const after = node.needs.map((id) => link(`#${steps.anchor(id)}`, steps.number(id) ?? id));
  const facts: Inline[] = [
    [
      strong('Runs:'),
      ' ',
      after.length ? ['after ', joinInline(after)] : 'at phase start',
      ' · ',
      inlineCode(node.uses),
    ],
  ];
  if (node.if !== undefined) facts.push([strong('Only if:'), ' ', conditionInWords(node.if, steps)]);
  facts.push([
    [strong('Timeout:'), ' ', duration(node.timeoutMs)],
    [' · ', strong('Retries:'), ' ', retryText(node.retry)],
    [' · ', strong('Estimate:'), ' ', duration(node.estimateMs)],
  ]);
  facts.push([strong('If interrupted:'), ' ', rerunText(node)]);
  if (node.onFailure) facts.push([strong('On failure:'), ' ', inlineCode(node.onFailure)]);
  const fallbacks = fallbacksOf(graph, node.id);
  if (fallbacks.length) {
    const names = fallbacks.map((n) => link(`#${steps.anchor(n.id)}`, `${steps.number(n.id)} ${n.title}`));
    facts.push([strong('Fallback:'), ' if it fails, ', joinInline(names), ' run', fallbacks.length === 1 ? 's' : '']);
  }
  return facts;
}

export function retryText(retry: IrRetry | undefined): string {
  if (!retry || retry.attempts <= 1) return 'none';
  const cap = retry.maxDelayMs !== undefined ? `, at most ${formatDuration(retry.maxDelayMs)}` : '';
  return `${retry.attempts} attempts, ${formatDuration(retry.delayMs)} ${retry.backoff} delay${cap}`;
}

/**
 * Parameters the page shows in another form: a gate's policy and message, a person's
 * instruction, and what step-details.ts tabulates (the Template sent with its audience and
 * variables, the Checklist or its items, the runbook called with its inputs).
 */
function shownElsewhere(body: Pick<IrBody, 'uses'>): readonly string[] {
  if (isGate(body.uses)) return ['message', 'approvers', 'required', 'selfApproval', 'timeout', 'allowUnsigned'];
  const out = asksConfirmation(body.uses) ? ['instruction'] : [];
  if (referenceParam(body.uses, 'Template') !== undefined) out.push('template', 'audience', 'vars');
  if (referenceParam(body.uses, 'Checklist') !== undefined) out.push('checklist', 'items');
  if (referenceParam(body.uses, 'Runbook') !== undefined) out.push('runbook', 'inputs');
  return out;
}

/**
 * What runs: a shell script as a ```sh block, other parameters as YAML with each expression as a
 * placeholder (`<input dr_region>`); the expressions as written are in the page's reference.
 */
export function bodyBlocks(body: Pick<IrBody, 'uses' | 'with'>, steps: StepIndex): RootContent[] {
  const { script, ...rest } = body.with as { script?: unknown } & Record<string, unknown>;
  const out: RootContent[] = [];
  if (isShell(body.uses) && typeof script === 'string') out.push(code('sh', script));
  const hidden = shownElsewhere(body);
  const params = Object.fromEntries(
    Object.entries(isShell(body.uses) ? rest : body.with).filter(([k]) => !hidden.includes(k)),
  );
  const plain = mapStrings(params, (s) => templatePlain(s, steps));
  if (Object.keys(params).length) out.push(code('yaml', yamlText(plain)));
  return out;
}

export function envBlocks(env: Record<string, string>, steps: StepIndex): RootContent[] {
  const entries = sortedEntries(env);
  if (!entries.length) return [];
  return [
    table(
      ['Environment variable', 'Value'],
      entries.map(([k, v]) => [inlineCode(k), templateInWords(v, steps)]),
    ),
  ];
}

function assertBlocks(node: IrNode, steps: StepIndex): RootContent[] {
  const outputs = sortedEntries(node.outputs);
  const out: RootContent[] = [];
  if (outputs.length) {
    out.push(
      table(
        ['Output', 'Taken from'],
        outputs.map(([k, v]) => [inlineCode(k), templateInWords(v, steps)]),
      ),
    );
  }
  if (node.assert.length) {
    out.push(
      paragraph(strong('Checks:'), ' the step fails unless'),
      list(node.assert.map((a) => conditionInWords(a, steps))),
    );
  }
  return out;
}
