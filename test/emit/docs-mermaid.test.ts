import { join } from 'node:path';
import type { Code, Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { docsEmitter } from '../../compiler/emit/docs/index.js';
import {
  branchId,
  decisionId,
  gateId,
  mermaidId,
  mermaidLabel,
  phaseDiagrams,
  phaseId,
  renderMermaid,
  renderOverviewMermaid,
  renderPhaseMermaid,
} from '../../compiler/emit/docs/mermaid.js';
import type { IrGraph } from '../../ir/types.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const result = compileTree(join(fixtures, 'docs'));
const graph = result.graphs.find((g) => g.name === 'region-failover') as IrGraph;
const diagrams = graph ? phaseDiagrams(graph) : [];
const texts = diagrams.map(renderPhaseMermaid);
const linesOf = (text: string): string[] => text.split('\n').map((l) => l.trim());
/** `a --> b` edges in declaration order (their index is what `linkStyle` refers to). */
const edgesOf = (text: string): [string, string][] =>
  linesOf(text)
    .filter((l) => / -->(\|[^|]*\|)? /.test(l))
    .map((l) => l.split(/ -->(?:\|[^|]*\|)? /) as [string, string]);
const all = texts.flatMap(linesOf);

describe('runbook page diagrams', () => {
  it('are the overview and one diagram per phase, in page order', () => {
    const page = docsEmitter.emit(result).find((f) => f.path === 'generated/docs/Runbook-region-failover.md')!;
    const root = unified().use(remarkParse).use(remarkGfm).parse(page.content) as Root;
    const blocks = root.children.filter((n): n is Code => n.type === 'code' && n.lang === 'mermaid');
    expect(blocks.map((b) => b.value)).toEqual([renderOverviewMermaid(graph), ...texts]);
    expect(texts.every((t) => t.startsWith('flowchart TD\n'))).toBe(true);
    expect(page.content).toContain('How to read the diagrams:');
  });

  it('the overview is one box per phase, in order', () => {
    const lines = linesOf(renderOverviewMermaid(graph));
    for (const phase of graph.phases) expect(lines.some((l) => l.startsWith(`${phaseId(phase.id)}["`))).toBe(true);
    expect(edgesOf(renderOverviewMermaid(graph))).toContainEqual([phaseId('assess'), phaseId('failover')]);
  });

  it('draws each phase with its steps and an edge per need inside the phase', () => {
    diagrams.forEach((d, k) => {
      const edges = edgesOf(texts[k]);
      for (const step of d.phase.steps)
        expect(linesOf(texts[k]).some((l) => l.startsWith(`${mermaidId(step)}`))).toBe(true);
      for (const node of graph.nodes.filter((n) => n.phase === d.phase.id)) {
        for (const need of node.needs.filter((n) => d.phase.steps.includes(n))) {
          const to = node.approval && node.uses !== 'approval' ? gateId(node.id) : mermaidId(node.id);
          expect(edges, `${need} → ${node.id}`).toContainEqual([mermaidId(need), to]);
        }
      }
    });
    expect(all).toContain(`${gateId('validate')} --> ${mermaidId('validate')}`);
  });

  it('marks the critical path with a class and thicker links', () => {
    const classed = all
      .filter((l) => l.startsWith('class ') && l.endsWith(' critical'))
      .flatMap((l) => l.split(' ')[1].split(','))
      .filter((id) => id.startsWith('s_'));
    expect(classed.sort()).toEqual(graph.rto.criticalPath.map(mermaidId).sort());
    expect(all).toContain('classDef critical fill:#ffebe9,color:#1f2328,stroke:#cf222e,stroke-width:3px');
    const k = diagrams.findIndex((d) => d.phase.steps.includes('switch-dns'));
    const edges = edgesOf(texts[k]);
    const styled = linesOf(texts[k])
      .find((l) => l.startsWith('linkStyle '))!
      .split(' ')[1]
      .split(',')
      .map(Number);
    expect(styled).toContain(
      edges.findIndex(([a, b]) => a === mermaidId('promote-db') && b === mermaidId('switch-dns')),
    );
  });

  it('shapes irreversible steps as hexagons and approval gates as diamonds', () => {
    expect(all).toContain('s_promote_db{{"⛔ Promote the replica"}}');
    expect(all.filter((l) => l.startsWith('class ') && l.endsWith(' irreversible'))).toEqual([
      'class s_promote_db irreversible',
    ]);
    expect(all).toContain('s_declare{"🔐 Declare disaster"}');
    expect(all.some((l) => l.startsWith('g_validate{"'))).toBe(true);
  });

  it('sanitises ids and escapes labels', () => {
    expect(mermaidId('promote-db')).toBe('s_promote_db');
    expect(mermaidId('end')).toBe('s_end');
    expect(mermaidLabel('Say "hi" <b>#1</b>\n`x`')).toBe('"Say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt; #96;x#96;"');
    const renamed: IrGraph = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === 'smoke-test' ? { ...n, title: 'Check "health" -> ok' } : n)),
    };
    expect(phaseDiagrams(renamed).map(renderPhaseMermaid).join('\n')).toContain(
      's_smoke_test(["Check #quot;health#quot; -#gt; ok ✓ recovered"])',
    );
  });
});

describe('if: alternatives', () => {
  const alt = compileTree(join(fixtures, 'alternatives')).graphs[0];
  const text = renderPhaseMermaid(phaseDiagrams(alt)[0]);
  const edges = edgesOf(text);

  it("draws a decision, a box naming each branch's condition, then the join", () => {
    const d = decisionId('fast-restore');
    expect(linesOf(text)).toContain(`${d}{"inputs.mode?"}`);
    expect(linesOf(text)).toContain(`${branchId('fast-restore')}("= fast")`);
    expect(linesOf(text)).toContain(`${branchId('slow-find')}("= slow")`);
    expect(edges).toContainEqual([mermaidId('prepare'), d]);
    expect(edges).toContainEqual([d, branchId('fast-restore')]);
    expect(edges).toContainEqual([branchId('fast-restore'), mermaidId('fast-restore')]);
    expect(edges).toContainEqual([branchId('slow-find'), mermaidId('slow-find')]);
    expect(edges).toContainEqual([mermaidId('fast-restore'), mermaidId('check')]);
    expect(edges).toContainEqual([mermaidId('slow-restore'), mermaidId('check')]);
    // Not a sequence any more: no arrow from one alternative into the other.
    expect(edges).not.toContainEqual([mermaidId('fast-restore'), mermaidId('slow-find')]);
    // The slower branch is the critical path: its condition box and the decision are marked.
    const critical = linesOf(text).find((l) => l.startsWith('class ') && l.endsWith(' critical'))!;
    expect(critical.split(' ')[1].split(',')).toEqual(expect.arrayContaining([d, branchId('slow-find')]));
    expect(critical.split(' ')[1].split(',')).not.toContain(branchId('fast-restore'));
  });

  it('lists in the legend only the shapes used', () => {
    const pages = docsEmitter.emit(compileTree(join(fixtures, 'alternatives')));
    const page = pages.find((f) => f.path.endsWith('Runbook-restore-either-way.md'))!.content;
    expect(page).toContain('Blue diamond: an `if:` decision');
    expect(page).not.toContain('hexagon');
    const other = docsEmitter.emit(result).find((f) => f.path.endsWith('Runbook-region-failover.md'))!.content;
    expect(other).toContain('⛔ Dark red hexagon');
    expect(other).not.toContain('Blue diamond');
  });
});

describe('runbook graph (the whole graph in one chart)', () => {
  const text = renderMermaid(graph);
  it('draws a subgraph per phase and the phase barrier once', () => {
    for (const phase of graph.phases) expect(text).toContain(`subgraph ${phaseId(phase.id)}[`);
    expect(edgesOf(text).filter(([a, b]) => a === phaseId('assess') && b === phaseId('failover'))).toHaveLength(1);
  });
});
