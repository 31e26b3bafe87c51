import type { RootContent } from 'mdast';
import type { IrGraph } from '../../../ir/types.js';
import { code, heading, paragraph, strong } from '../../../common/markdown/mdast-builders.js';
import { diagramLegend } from './diagram-legend.js';
import { phaseDiagrams, renderOverviewMermaid, renderPhaseMermaid } from './mermaid.js';

/**
 * The "Step graph" section of a runbook page: the legend, the phases top-down (when there are
 * several), then one diagram per phase. Phase titles are bold paragraphs, not headings, so the
 * page's phase sections keep their anchors.
 */
export function stepGraphSection(graph: IrGraph): RootContent[] {
  const diagrams = phaseDiagrams(graph);
  return [
    heading(2, 'Step graph'),
    ...diagramLegend(graph, diagrams),
    // One phase needs no overview: its own diagram is the whole graph.
    ...(graph.phases.length > 1
      ? [paragraph(strong('Phases'), ', in order:'), code('mermaid', renderOverviewMermaid(graph))]
      : []),
    ...diagrams.flatMap((d, i): RootContent[] => [
      paragraph(strong(`Phase ${i + 1}: ${d.phase.title}`)),
      code('mermaid', renderPhaseMermaid(d)),
    ]),
  ];
}
