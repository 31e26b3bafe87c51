import type { BlockContent, RootContent } from 'mdast';
import type { IrGraph } from '../../../ir/types.js';
import { inlineCode, list, paragraph, type Inline } from '../../../common/markdown/mdast-builders.js';
import { phaseStartId, type PhaseDiagram } from './diagram-model.js';

/**
 * The legend of a page's diagrams: one entry per shape or colour the diagrams actually use, worded
 * as the reader sees it (shape, colour, marker), so the legend never explains what is not drawn.
 */
export function diagramLegend(graph: IrGraph, diagrams: readonly PhaseDiagram[]): RootContent[] {
  const items = diagrams.flatMap((d) => d.items);
  const has = (test: (i: (typeof items)[number]) => boolean): boolean => items.some(test);
  const entries: [boolean, Inline][] = [
    [true, 'Boxes are steps; an arrow means the step it points to starts after the step it leaves.'],
    [
      has((i) => i.id === phaseStartId),
      'Rounded box "Phase N starts": where the phase begins, once the one before is done.',
    ],
    [
      has((i) => i.classes.includes('critical')),
      'Red outline and thick red arrows: the critical path, the steps that set the expected duration (RTO).',
    ],
    [has((i) => i.shape === 'hexagon'), '⛔ Dark red hexagon: a point of no return; it cannot be rolled back.'],
    [has((i) => i.classes.includes('gate')), '🔐 Yellow diamond: an approval gate; the run waits for the approvers.'],
    [
      has((i) => i.classes.includes('decision')),
      [
        'Blue diamond: an ',
        inlineCode('if:'),
        ' decision; only the branch whose label holds runs, then the paths join.',
      ],
    ],
    [has((i) => i.shape === 'stadium'), 'Rounded box marked ✓ recovered: service is restored once this step succeeds.'],
    [diagrams.some((d) => d.stacks.length > 0), 'A frame titled "N in parallel": steps that run side by side.'],
    [
      has((i) => i.classes.includes('collapsed')),
      'Grey box "N steps in parallel": ordinary steps that run side by side, listed in one box.',
    ],
    [graph.phases.some((p) => p.finally), 'Dotted arrow "always": the finally steps run however the phases end.'],
  ];
  return [
    paragraph('How to read the diagrams:'),
    list(entries.filter(([shown]) => shown).map(([, text]) => [paragraph(text)] as BlockContent[])),
  ];
}
