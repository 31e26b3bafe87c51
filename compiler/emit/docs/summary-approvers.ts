import type { BlockContent } from 'mdast';
import type { IrApproval, IrGraph, IrNode } from '../../../ir/types.js';
import { formatDuration } from '../../../ir/duration.js';
import type { DirectorySpec } from '../../model/specs.js';
import { isGate } from '../../../common/actions-catalog/index.js';
import type { GraphPageContext } from './docs-context.js';
import { ownerOf } from './contacts.js';
import {
  inlineCode,
  joinInline,
  link,
  list,
  paragraph,
  strong,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import type { StepIndex } from './step-index.js';

/** The approval gates of a graph: approval steps and steps with an `approval` before them. */
export function gatesOf(graph: IrGraph): IrNode[] {
  return graph.nodes.filter((n) => n.approval !== undefined || isGate(n.uses));
}

/**
 * "Approvers": who must say yes, by name from the Directory, gate by gate (each gate's policy
 * already includes what it takes from `spec.approvals`, the runbook's default policy for gates),
 * then the GitHub environment's reviewers (names GitHub knows, not the Directory).
 */
export function approversItem(ctx: GraphPageContext, graph: IrGraph, steps: StepIndex): BlockContent[] {
  const lines: Inline[] = [];
  for (const node of gatesOf(graph)) {
    if (!node.approval) continue;
    const where = isGate(node.uses) ? '' : 'before ';
    lines.push([
      where,
      link(`#${steps.anchor(node.id)}`, `${steps.number(node.id)} ${node.title}`),
      ': ',
      policyInWords(ctx.directory, node.approval),
    ]);
  }
  if (graph.environment) {
    lines.push(['the reviewers of the GitHub environment ', inlineCode(graph.environment), ' (repository settings)']);
  }
  if (!lines.length) return [paragraph(strong('Approvers:'), ' none: the run needs no approval.')];
  return [paragraph(strong('Approvers:')), list(lines)];
}

/** `2 of SRE (Bob Wilson, Evan Ortiz) or Executive team (…); not the initiator; times out after 8m`. */
export function policyInWords(dir: DirectorySpec | undefined, a: IrApproval): Inline {
  const who = a.approvers.length
    ? joinInline(
        a.approvers.map((entry) => approverInWords(dir, entry)),
        ' or ',
      )
    : 'any allowed approver';
  return [
    `${a.required} of `,
    who,
    a.selfApproval ? '; the initiator may approve' : '; not the initiator',
    a.timeoutMs !== undefined ? `; times out after ${formatDuration(a.timeoutMs)}` : '',
  ];
}

/** A team as its name and members' names; a person as their name; else the handle as written. */
export function approverInWords(dir: DirectorySpec | undefined, entry: string): Inline {
  const found = dir ? ownerOf(dir, entry) : {};
  if (found.team) {
    const [id, team] = found.team;
    const names = (team.members ?? []).map((m) => dir?.people?.[m]?.name ?? m);
    return [team.name ?? id, names.length ? ` (${names.join(', ')})` : ' (no members listed)'];
  }
  if (found.person) return found.person[1].name;
  return inlineCode(entry);
}
