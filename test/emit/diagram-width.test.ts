import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { docsEmitter } from '../../compiler/emit/docs/index.js';
import { fitPhaseDiagram } from '../../compiler/emit/docs/diagram-fit.js';
import { phaseDiagram, type PhaseDiagram } from '../../compiler/emit/docs/diagram-model.js';
import { estimateWidth, itemWidth, maxDiagramWidth, textWidth } from '../../compiler/emit/docs/diagram-width.js';
import { phaseDiagrams, renderPhaseMermaid } from '../../compiler/emit/docs/mermaid.js';
import type { IrGraph } from '../../ir/types.js';

/**
 * Every diagram a page shows must fit a 900 px content width at Mermaid's 16 px font, or GitHub
 * scales it (and its text) down. The estimate is the rank model of diagram-width.ts; the browser
 * test measures the real SVGs.
 */
const root = join(import.meta.dirname, '..', '..');
const library = compileTree(root).graphs;
const wide = compileTree(join(import.meta.dirname, '..', 'fixtures', 'wide-diagram'));
const wideGraph = wide.graphs.find((g) => g.name === 'wide-fan-out') as IrGraph;

/** Each step of the phase stands in exactly one box of the diagram. */
function stepsDrawn(d: PhaseDiagram): string[] {
  return d.items.flatMap((i) => i.steps).sort();
}

describe('diagram width estimate', () => {
  it('covers the library', () => {
    expect(library.map((g) => g.name)).toEqual(
      expect.arrayContaining(['primary-region-failure', 'ecommerce-rds-daily', 'database-corruption-recovery']),
    );
  });

  it.each(library.map((g) => [g.name, g] as const))('%s: every phase diagram fits 900 px', (_name, graph) => {
    for (const d of phaseDiagrams(graph)) {
      expect(estimateWidth(d), d.phase.id).toBeLessThanOrEqual(maxDiagramWidth);
      expect(stepsDrawn(d), d.phase.id).toEqual([...d.phase.steps].sort());
    }
  });

  it('folds a synthetic fan-out of twelve long-titled steps from far too wide to within a page', () => {
    expect(wide.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const phase = wideGraph.phases[0];
    const naive = phaseDiagram(wideGraph, phase);
    expect(estimateWidth(naive)).toBeGreaterThan(3 * maxDiagramWidth);
    const fitted = fitPhaseDiagram(naive);
    expect(estimateWidth(fitted)).toBeLessThanOrEqual(maxDiagramWidth);
    expect(stepsDrawn(fitted)).toEqual([...phase.steps].sort());
    // The point of no return and the critical step keep boxes of their own.
    const own = fitted.items.filter((i) => i.steps.length === 1).map((i) => i.steps[0]);
    expect(own).toContain('check-5');
    expect(own).toEqual(expect.arrayContaining(wideGraph.rto.criticalPath));
    const text = renderPhaseMermaid(fitted);
    expect(text).toContain('subgraph st_');
    expect(text).toMatch(/steps in parallel:<br\/>• /);
    const page = wide.graphs.length
      ? docsEmitter.emit(wide).find((f) => f.path.endsWith('wide-fan-out.md'))!
      : undefined;
    // The legend names the folded box as it is drawn.
    expect(page?.content).toContain('Grey box "N steps in parallel"');
  });

  it('measures text like Mermaid: labels wrap at 200 px, boxes add padding', () => {
    expect(textWidth('abc')).toBe(30);
    const item = { id: 'x', label: 'Deploy the application to the DR EKS cluster', shape: 'rect' as const };
    expect(itemWidth({ ...item, classes: [], steps: [] })).toBe(260);
    expect(itemWidth({ ...item, label: 'x', classes: [], steps: [] })).toBe(70);
  });
});
