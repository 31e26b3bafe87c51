import type { RootContent } from 'mdast';
import { isGate } from '../../common/actions-catalog/index.js';
import {
  heading,
  inlineCode,
  joinInline,
  paragraph,
  table,
  type Inline,
} from '../../common/markdown/mdast-builders.js';
import type { IrGraph } from '../../ir/types.js';
import type { AuditSummary } from '../audit/summary.js';

/**
 * A dry run walks its approval gates without asking anyone (the gate's plan is logged, nobody is
 * prompted, no approval:* record is written). Its report must still say which gates a real run
 * would stop at and whom they would ask, or "No step needed an approval" stands next to a
 * two-person gate. The approvers come from the graph: the audit log of a dry run does not name them.
 */

/** An approval gate: its step, who may approve and how many must. */
export interface ReportGate {
  readonly stepId: string;
  readonly approvers: readonly string[];
  readonly required: number;
  readonly selfApproval: boolean;
}

/** Every gate of a graph: approval steps and steps with an `approval:` of their own. */
export function gatesOf(graph: Pick<IrGraph, 'nodes'>): ReportGate[] {
  return graph.nodes.flatMap((n) =>
    n.approval
      ? [
          {
            stepId: n.id,
            approvers: n.approval.approvers,
            required: n.approval.required,
            selfApproval: n.approval.selfApproval,
          },
        ]
      : [],
  );
}

/**
 * The gates the dry run walked through (skipped steps are not asked), in the order they ran.
 * Without the graph, approval steps are recognised by their action; their approvers are unknown.
 */
function walkedGates(s: AuditSummary, gates: readonly ReportGate[] | undefined): (ReportGate | { stepId: string })[] {
  const walked = s.steps.filter((st) => st.status !== 'skipped');
  if (gates) {
    const byStep = new Map(gates.map((g) => [g.stepId, g]));
    return walked.flatMap((st) => byStep.get(st.stepId) ?? []);
  }
  return walked.filter((st) => isGate(st.uses)).map((st) => ({ stepId: st.stepId }));
}

function whom(g: ReportGate | { stepId: string }): Inline {
  if (!('approvers' in g)) return "not in a dry run's audit log (see the gate on the runbook's page)";
  const who = joinInline(g.approvers.map((a) => inlineCode(a)));
  const self = g.selfApproval ? '' : ', not the initiator';
  return [`${g.required} of `, who, self];
}

/** `## Approvals` of a dry run: the gates a live run would ask, and that none was asked. */
export function dryRunApprovalsSection(s: AuditSummary, gates: readonly ReportGate[] | undefined): RootContent[] {
  const walked = walkedGates(s, gates);
  const out: RootContent[] = [heading(2, 'Approvals')];
  if (walked.length === 0) return [...out, paragraph('No approval gate on the path this dry run walked.')];
  return [
    ...out,
    paragraph(
      `This dry run walked ${walked.length} approval gate${walked.length > 1 ? 's' : ''}. `,
      'Nobody was asked: a dry run plans each gate without prompting. A live run or drill would stop at each and ask:',
    ),
    table(
      ['Gate', 'Would ask', 'Asked in this run'],
      walked.map((g): Inline[] => [inlineCode(g.stepId), whom(g), 'no (dry run)']),
    ),
  ];
}
