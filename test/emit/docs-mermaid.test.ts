import { join } from 'node:path';
import type { Code, Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { docsEmitter } from '../../compiler/emit/docs/index.js';
import { gateId, mermaidId, mermaidLabel, phaseId, renderMermaid } from '../../compiler/emit/docs/mermaid.js';
import type { IrGraph } from '../../ir/types.js';

const result = compileTree(join(import.meta.dirname, '..', 'fixtures', 'docs'));
const graph = result.graphs.find((g) => g.name === 'region-failover') as IrGraph;
const text = graph ? renderMermaid(graph) : '';
const lines = text.split('\n').map((l) => l.trim());

/** `a --> b` edges in declaration order (their index is what `linkStyle` refers to). */
const edges = lines.filter((l) => l.includes(' --> ')).map((l) => l.split(' --> ') as [string, string]);

describe('renderMermaid', () => {
  it('is the code block of the runbook page', () => {
    const page = docsEmitter.emit(result).find((f) => f.path === 'generated/docs/Runbook-region-failover.md')!;
    const root = unified().use(remarkParse).use(remarkGfm).parse(page.content) as Root;
    const blocks = root.children.filter((n): n is Code => n.type === 'code' && n.lang === 'mermaid');
    expect(blocks.map((b) => b.value)).toEqual([text]);
    expect(lines[0]).toBe('flowchart TD');
  });

  it('draws a subgraph per phase holding its steps', () => {
    for (const phase of graph.phases) {
      const start = lines.findIndex((l) => l.startsWith(`subgraph ${phaseId(phase.id)}[`));
      expect(start, phase.id).toBeGreaterThan(0);
      const end = lines.indexOf('end', start);
      const inside = lines.slice(start + 1, end).map((l) => l.split(/[[({]/)[0]);
      expect(inside).toEqual(expect.arrayContaining(phase.steps.map(mermaidId)));
    }
  });

  it('draws an edge per need: inside a phase step to step, across phases once between subgraphs', () => {
    const phaseOf = new Map(graph.nodes.map((n) => [n.id, n.phase]));
    for (const node of graph.nodes) {
      for (const need of node.needs) {
        const cross = phaseOf.get(need) !== node.phase;
        const from = cross ? phaseId(phaseOf.get(need)!) : mermaidId(need);
        const to = cross
          ? phaseId(node.phase)
          : node.approval && node.uses !== 'approval'
            ? gateId(node.id)
            : mermaidId(node.id);
        expect(edges, `${need} → ${node.id}`).toContainEqual([from, to]);
      }
    }
    expect(edges).toContainEqual([gateId('validate'), mermaidId('validate')]);
    expect(edges.filter(([a, b]) => a === phaseId('assess') && b === phaseId('failover'))).toHaveLength(1);
  });

  it('marks the critical path with a class and thicker links', () => {
    const critical = lines.find((l) => l.startsWith('class ') && l.endsWith(' critical'))!;
    expect(critical.split(' ')[1].split(',').sort()).toEqual(graph.rto.criticalPath.map(mermaidId).sort());
    expect(lines).toContain('classDef critical stroke:#cf222e,stroke-width:3px');
    const styled = lines
      .find((l) => l.startsWith('linkStyle '))!
      .split(' ')[1]
      .split(',')
      .map(Number);
    const path = graph.rto.criticalPath.map(mermaidId);
    for (const i of styled) {
      const [from, to] = edges[i];
      // Either two consecutive steps of the path, a phase barrier, or a gate and its step.
      const ok =
        path.some((id, k) => k > 0 && path[k - 1] === from && id === to) ||
        from.startsWith('p_') ||
        from.startsWith('g_') ||
        to.startsWith('g_');
      expect(ok, `${from} --> ${to}`).toBe(true);
    }
    expect(styled).toContain(
      edges.findIndex(([a, b]) => a === mermaidId('promote-db') && b === mermaidId('switch-dns')),
    );
    expect(styled).not.toContain(edges.findIndex(([a]) => a === mermaidId('notify-start')));
  });

  it('shapes irreversible steps as hexagons and approval gates as diamonds', () => {
    expect(lines).toContain('s_promote_db{{"⛔ Promote the replica"}}');
    expect(lines.find((l) => l.startsWith('class ') && l.endsWith(' irreversible'))).toBe(
      'class s_promote_db irreversible',
    );
    expect(lines).toContain('s_declare{"🔐 Declare disaster"}');
    expect(lines.some((l) => l.startsWith('g_validate{"'))).toBe(true);
  });

  it('sanitises ids and escapes labels', () => {
    expect(mermaidId('promote-db')).toBe('s_promote_db');
    expect(mermaidId('end')).toBe('s_end');
    expect(mermaidLabel('Say "hi" <b>#1</b>\n`x`')).toBe('"Say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt; #96;x#96;"');
    const renamed: IrGraph = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === 'smoke-test' ? { ...n, title: 'Check "health" -> ok' } : n)),
    };
    expect(renderMermaid(renamed)).toContain('s_smoke_test(["Check #quot;health#quot; -#gt; ok ✓ recovered"])');
  });
});
