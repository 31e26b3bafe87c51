import type { BlockContent, RootContent } from 'mdast';
import { formatDuration } from '../../../ir/duration.js';
import type { IrGraph, IrNode } from '../../../ir/types.js';
import { asksConfirmation, isGate } from '../../../common/actions-catalog/index.js';
import {
  heading,
  inlineCode,
  joinInline,
  link,
  list,
  paragraph,
  strong,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { bodyBlocks, envBlocks } from './runbook-steps.js';
import type { StepIndex } from './step-index.js';
import { isReadOnly } from './step-rerun.js';

/**
 * "Rollback": what a failed run undoes, in the order it undoes it (reverse completion order,
 * here the reverse of the page's order), and where it stops: at the first irreversible step it
 * meets (docs/format-reference.md, failure policy). Then the changes nothing undoes.
 */
export function rollbackSection(graph: IrGraph, steps: StepIndex): RootContent[] {
  const body = graph.nodes.filter((n) => !n.finally);
  const undoable = [...body].reverse().filter((n) => n.rollback || n.irreversible);
  const out: RootContent[] = [heading(2, 'Rollback'), paragraph(...policyText(graph, undoable))];
  if (undoable.some((n) => n.rollback)) {
    out.push(
      paragraph('In this order, latest first; only steps that completed are undone:'),
      list(undoable.map((n) => undoItem(n, steps))),
    );
  } else {
    out.push(paragraph('No step has a ', inlineCode('rollback'), ': a rollback undoes nothing.'));
  }
  const kept = body.filter((n) => !n.rollback && !n.irreversible && changes(n));
  if (kept.length) {
    out.push(
      paragraph(
        strong('Not undone by a rollback'),
        ' (no ',
        inlineCode('rollback'),
        ' defined): ',
        stepLinks(kept, steps),
        '.',
      ),
    );
  }
  if (graph.nodes.some((n) => n.finally)) {
    out.push(paragraph('The ', inlineCode('finally'), ' steps run after the rollback and are never rolled back.'));
  }
  return out;
}

function policyText(graph: IrGraph, undoable: readonly IrNode[]): Inline[] {
  const overrides = graph.nodes.filter((n) => n.onFailure === 'rollback' && graph.onFailure !== 'rollback');
  if (graph.onFailure === 'rollback')
    return ['When a step fails, the run rolls back (', inlineCode('onFailure: rollback'), ').'];
  return [
    `When a step fails, the run ${graph.onFailure === 'abort' ? 'stops' : 'goes on'} (`,
    inlineCode(`onFailure: ${graph.onFailure}`),
    ') and undoes nothing',
    overrides.length
      ? ['; it rolls back only when one of these fails: ', joinInline(overrides.map((n) => inlineCode(n.id)))]
      : '',
    undoable.some((n) => n.rollback) ? '. The compensations below run only in a rollback.' : '.',
  ];
}

function undoItem(node: IrNode, steps: StepIndex): BlockContent[] {
  const title = link(`#${steps.anchor(node.id)}`, `${steps.number(node.id)} ${node.title}`);
  if (node.irreversible && !node.rollback) {
    return [
      paragraph(
        strong('⛔'),
        ' ',
        title,
        ': rollback stops here once this step has run; the steps listed after it stay as they are.',
      ),
    ];
  }
  const rb = node.rollback!;
  return [
    paragraph(
      title,
      ': undone by ',
      inlineCode(rb.uses),
      rb.timeoutMs !== undefined ? ` (timeout ${formatDuration(rb.timeoutMs)})` : '',
      node.irreversible ? '; then ⛔ rollback stops here' : '',
    ),
    ...(bodyBlocks(rb, steps) as BlockContent[]),
    ...(envBlocks(rb.env, steps) as BlockContent[]),
  ];
}

/** Whether a step changes something a rollback would have to undo (gates, reads and people's confirmations do not). */
function changes(node: IrNode): boolean {
  return !isGate(node.uses) && !isReadOnly(node.uses) && !asksConfirmation(node.uses);
}

function stepLinks(nodes: readonly IrNode[], steps: StepIndex): Inline {
  return joinInline(nodes.map((n) => link(`#${steps.anchor(n.id)}`, `${steps.number(n.id)} ${n.title}`)));
}
