import { formatDuration } from '../../../ir/duration.js';
import type { IrGraph, IrPhase } from '../../../ir/types.js';
import { fitPhaseDiagram } from './diagram-fit.js';
import {
  phaseDiagram,
  phaseStartId,
  type DiagramEdge,
  type DiagramItem,
  type PhaseDiagram,
  type StyleClass,
} from './diagram-model.js';
import { classDefLine, classOrder, criticalLinkStyle } from './diagram-styles.js';

export { branchId, decisionId, gateId, mermaidId } from './diagram-model.js';

/**
 * The step graph as Mermaid flowcharts (GitHub renders ```mermaid blocks). A page shows an
 * overview of the phases top-down, then one diagram per phase, each kept within a page's width
 * (diagram-fit.ts, diagram-width.ts): the critical path (RTO) is a class plus thicker links,
 * irreversible steps are hexagons, approval gates diamonds (an `approval` step itself, or a gate
 * node in front of a step with an `approval` field), `if:` alternatives a decision with a
 * labelled arrow per branch.
 *
 * The text is built here, not in mdast: it is the value of one code block. Node ids are
 * sanitised (`promote-db` → `s_promote_db`; step ids are kebab-case, so this is one-to-one) and
 * the prefix keeps ids clear of Mermaid keywords such as `end`.
 */
export function phaseDiagrams(graph: IrGraph): PhaseDiagram[] {
  return graph.phases.map((phase) => fitPhaseDiagram(phaseDiagram(graph, phase)));
}

/** One phase's diagram as Mermaid text. */
export function renderPhaseMermaid(diagram: PhaseDiagram): string {
  return ['flowchart TD', ...body(diagram, '  '), ...styles([diagram.items], diagram.edges)].join('\n');
}

/** The phases top-down, one box each, with their size, budget and what to watch for. */
export function renderOverviewMermaid(graph: IrGraph): string {
  const lines = ['flowchart TD'];
  graph.phases.forEach((phase, i) => lines.push(`  ${phaseId(phase.id)}[${overviewLabel(graph, phase, i)}]`));
  graph.phases.forEach((phase, i) => {
    if (i === 0) return;
    const arrow = phase.finally ? '-. always .->' : '-->';
    lines.push(`  ${phaseId(graph.phases[i - 1].id)} ${arrow} ${phaseId(phase.id)}`);
  });
  return lines.join('\n');
}

function overviewLabel(graph: IrGraph, phase: IrPhase, index: number): string {
  const nodes = graph.nodes.filter((n) => n.phase === phase.id);
  const rto = graph.rto.phases.find((p) => p.id === phase.id);
  const facts = [
    `${nodes.length} step${nodes.length === 1 ? '' : 's'}${phase.parallel ? ', parallel' : ''}`,
    phase.budgetMs !== undefined ? `budget ${formatDuration(phase.budgetMs)}` : '',
    rto && rto.expectedMs > 0 ? `expected ${formatDuration(rto.expectedMs)}` : '',
  ].filter(Boolean);
  const marks = [
    nodes.some((n) => n.irreversible) ? '⛔ point of no return' : '',
    nodes.some((n) => n.approval !== undefined || n.uses === 'approval') ? '🔐 approval' : '',
  ].filter(Boolean);
  return labelText(`${index + 1}. ${phase.title}`, [facts.join(' · '), ...(marks.length ? [marks.join(' · ')] : [])]);
}

/**
 * Every phase in one flowchart, a subgraph each, for `runbook graph NAME` (a terminal has no
 * page width). The phase barrier is one edge between subgraphs.
 */
export function renderMermaid(graph: IrGraph): string {
  const diagrams = phaseDiagrams(graph).map(withoutStart);
  const lines = ['flowchart TD'];
  const edges: DiagramEdge[] = [];
  diagrams.forEach((d, i) => {
    lines.push(`  subgraph ${phaseId(d.phase.id)}[${mermaidLabel(`${i + 1}. ${d.phase.title}`)}]`, '    direction TB');
    lines.push(...body({ ...d, edges: [] }, '    '), '  end');
    edges.push(...d.edges);
  });
  diagrams.forEach((d, i) => {
    if (i === 0) return;
    const from = phaseId(diagrams[i - 1].phase.id);
    edges.push({ from, to: phaseId(d.phase.id), critical: !d.phase.finally, dotted: d.phase.finally });
  });
  lines.push(...edges.map(edgeLine));
  lines.push(
    ...styles(
      diagrams.map((d) => d.items),
      edges,
    ),
  );
  return lines.join('\n');
}

/** A phase's diagram without its start box (a subgraph of the whole graph needs none). */
function withoutStart(d: PhaseDiagram): PhaseDiagram {
  return {
    ...d,
    items: d.items.filter((i) => i.id !== phaseStartId),
    edges: d.edges.filter((e) => e.from !== phaseStartId),
  };
}

/** `p_<id>`: the Mermaid id of a phase (its subgraph, or its box in the overview). */
export function phaseId(id: string): string {
  return `p_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

function escape(value: string): string {
  return value
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A quoted label with Mermaid entity codes: `"` would end the label, `<`/`>` could read as HTML,
 * `#` starts an entity code itself, a backquote would switch to a Markdown string.
 */
export function mermaidLabel(value: string): string {
  return `"${escape(value)}"`;
}

/** A label over several lines: each escaped, joined by Mermaid's line break. */
function labelText(first: string, more: readonly string[] = []): string {
  return `"${[first, ...more].map(escape).join('<br/>')}"`;
}

const open: Record<DiagramItem['shape'], [string, string]> = {
  rect: ['[', ']'],
  round: ['(', ')'],
  stadium: ['([', '])'],
  hexagon: ['{{', '}}'],
  diamond: ['{', '}'],
};

function nodeLine(item: DiagramItem): string {
  const [a, b] = open[item.shape];
  return `${item.id}${a}${labelText(item.label, item.lines)}${b}`;
}

function edgeLine(e: DiagramEdge): string {
  if (e.dotted) return `  ${e.from} -. always .-> ${e.to}`;
  return e.label ? `  ${e.from} -->|${mermaidLabel(e.label)}| ${e.to}` : `  ${e.from} --> ${e.to}`;
}

/** Boxes (stacks as subgraphs laid out left to right, i.e. one column) then arrows. */
function body(diagram: PhaseDiagram, indent: string): string[] {
  const stacked = new Map<string, string>();
  for (const s of diagram.stacks) for (const m of s.members) stacked.set(m, s.id);
  const out: string[] = [];
  for (const item of diagram.items) {
    const stackId = stacked.get(item.id);
    const st = diagram.stacks.find((s) => s.id === stackId);
    if (!st) out.push(`${indent}${nodeLine(item)}`);
    else if (st.members[0] === item.id) {
      out.push(`${indent}subgraph ${st.id}[${mermaidLabel(st.title)}]`, `${indent}  direction LR`);
      for (const m of st.members) out.push(`${indent}  ${nodeLine(diagram.items.find((i) => i.id === m)!)}`);
      out.push(`${indent}end`);
    }
  }
  out.push(...diagram.edges.map((e) => `${indent}${edgeLine(e).trimStart()}`));
  return out;
}

/** The classDefs used, one `class` line per class (in classOrder), then the critical links. */
function styles(itemLists: readonly (readonly DiagramItem[])[], edges: readonly DiagramEdge[]): string[] {
  const members = new Map<StyleClass, string[]>();
  for (const items of itemLists) {
    for (const item of items) for (const c of item.classes) members.set(c, [...(members.get(c) ?? []), item.id]);
  }
  const used = classOrder.filter((c) => members.has(c));
  const out = used.map((c) => `  ${classDefLine(c)}`);
  for (const c of used) out.push(`  class ${members.get(c)!.join(',')} ${c}`);
  const thick = edges.flatMap((e, i) => (e.critical ? [i] : []));
  if (thick.length) out.push(`  linkStyle ${thick.join(',')} ${criticalLinkStyle}`);
  return out;
}

/** The style classes and shapes a set of diagrams uses (for the legend). */
export function usedClasses(diagrams: readonly PhaseDiagram[]): Set<StyleClass> {
  return new Set(diagrams.flatMap((d) => d.items.flatMap((i) => i.classes)));
}
