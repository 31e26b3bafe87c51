import type { RootContent } from 'mdast';
import type { IrNode } from '../../../ir/types.js';
import { isGate } from '../../../common/actions-catalog/index.js';
import type { GraphPageContext } from './docs-context.js';
import { templateInWords } from './expression-words.js';
import { paragraph, strong } from '../../../common/markdown/mdast-builders.js';
import type { StepIndex } from './step-index.js';
import { policyInWords } from './summary-approvers.js';

/** A step's gate: who approves (by name), and the message they see, with its references in words. */
export function gateBlocks(ctx: GraphPageContext, node: IrNode, steps: StepIndex): RootContent[] {
  if (!node.approval) return [];
  const where = isGate(node.uses)
    ? 'This step waits for approval'
    : 'Before this step starts, the run waits for approval';
  const message = node.approval.message ?? (typeof node.with.message === 'string' ? node.with.message : undefined);
  return [
    paragraph(strong('🔐 Approval:'), ` ${where}: `, policyInWords(ctx.directory, node.approval), '.'),
    ...(message ? [paragraph('Approvers see: “', ...templateInWords(message, steps), '”')] : []),
  ];
}
