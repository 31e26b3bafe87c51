import type { RootContent } from 'mdast';
import type { IrGraph } from '../../../ir/types.js';
import { duration, rtoStatusAgainst } from './format.js';
import { branchView } from '../../graph/alternatives.js';
import { conditionLabel } from './diagram-model.js';
import {
  heading,
  inlineCode,
  joinInline,
  paragraph,
  strong,
  table,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';

/** Header of the RTO table; tests and readers find columns by these names. */
export const rtoHeader = ['Phase', 'Budget', 'Expected (critical path)', 'Worst case', 'Critical path', 'Status'];

/**
 * The RTO analysis as a table: one row per phase against its budget, then a total row against
 * the runbook's RTO objective. Expected = longest path of estimates; worst case = every step
 * using its whole timeout on every attempt plus retry delays (see compiler/graph/rto.ts).
 */
export function rtoSection(graph: IrGraph): RootContent[] {
  const { rto } = graph;
  const titles = new Map(graph.phases.map((p) => [p.id, p.title]));
  const path = (ids: readonly string[]): Inline =>
    ids.length
      ? joinInline(
          ids.map((id) => inlineCode(id)),
          ' → ',
        )
      : '—';
  const rows: Inline[][] = rto.phases.map((p) => [
    titles.get(p.id) ?? p.id,
    duration(p.budgetMs),
    duration(p.expectedMs),
    duration(p.worstCaseMs),
    path(p.criticalPath),
    rtoStatusAgainst(p.budgetMs, p.status),
  ]);
  rows.push([
    strong('Total'),
    strong(rto.rtoMs === undefined ? 'no RTO' : `RTO ${duration(rto.rtoMs)}`),
    strong(duration(rto.expectedMs)),
    strong(duration(rto.worstCaseMs)),
    `${rto.criticalPath.length} steps`,
    strong(rtoStatusAgainst(rto.rtoMs, rto.status)),
  ]);
  const out: RootContent[] = [
    heading(2, 'Recovery time (RTO) analysis'),
    table(rtoHeader, rows),
    ...alternativesNote(graph),
  ];
  if (rto.unestimated.length) {
    out.push(
      paragraph(
        'Steps without an ',
        inlineCode('estimate'),
        ' (counted as zero): ',
        joinInline(rto.unestimated.map((id) => inlineCode(id))),
        '.',
      ),
    );
  }
  return out;
}

/** One sentence per `if:` decision: only one branch runs, so the figures count the longer one. */
function alternativesNote(graph: IrGraph): RootContent[] {
  return branchView(graph.nodes).groups.map((g) =>
    paragraph(
      'Only one branch of the decision on ',
      inlineCode(g.subject),
      ' runs (',
      joinInline(
        g.branches.map((b) => [
          inlineCode(conditionLabel(b.condition)),
          ': ',
          joinInline(
            b.steps.map((id) => inlineCode(id)),
            ' → ',
          ),
        ]),
        '; ',
      ),
      '), so the figures count the longer branch, not both.',
    ),
  );
}
