import { formatDuration } from '../../../ir/duration.js';
import type { IrGraph, IrNode, IrPhase } from '../../../ir/types.js';
import { isGate } from '../../../common/actions-catalog/index.js';

/**
 * The step graph as a Mermaid flowchart (GitHub renders ```mermaid blocks): phases are
 * subgraphs, edges are the resolved `needs` (the phase barrier as one edge between subgraphs), the RTO critical path is a class plus thicker links,
 * irreversible steps are hexagons with the `irreversible` class, approval gates are diamonds
 * (an `approval` step itself, or a gate node in front of a step with an `approval` field).
 *
 * The text is built here, not in mdast: it is the value of one code block. Node ids are
 * sanitised (`promote-db` → `s_promote_db`; step ids are kebab-case, so this is one-to-one) and
 * the prefix keeps ids clear of Mermaid keywords such as `end`.
 */
export function renderMermaid(graph: IrGraph): string {
  const lines = ['flowchart TD'];
  const byPhase = new Map<string, IrNode[]>();
  for (const node of graph.nodes) byPhase.set(node.phase, [...(byPhase.get(node.phase) ?? []), node]);
  graph.phases.forEach((phase, i) => lines.push(...subgraph(phase, i, byPhase.get(phase.id) ?? [])));
  const edges = graphEdges(graph);
  lines.push(...edges.map((e) => `  ${e.from} --> ${e.to}`));
  lines.push(...finallyEdge(graph));
  lines.push(...styles(graph, edges));
  return lines.join('\n');
}

/** `s_<id>`: a Mermaid-safe node id for a step. */
export function mermaidId(stepId: string): string {
  return `s_${stepId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The id of the gate node drawn in front of a step with an `approval` field. */
export function gateId(stepId: string): string {
  return `g_${stepId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** `p_<id>`: the Mermaid id of a phase's subgraph. */
export function phaseId(id: string): string {
  return `p_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * A quoted label with Mermaid entity codes: `"` would end the label, `<`/`>` could read as HTML,
 * `#` starts an entity code itself, a backquote would switch to a Markdown string.
 */
export function mermaidLabel(value: string): string {
  const escaped = value
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;')
    .replace(/\s+/g, ' ')
    .trim();
  return `"${escaped}"`;
}

/** Steps that are approval gates themselves, rather than steps guarded by a gate. */
function isGateStep(node: IrNode): boolean {
  return isGate(node.uses);
}

function hasGateInFront(node: IrNode): boolean {
  return node.approval !== undefined && !isGateStep(node);
}

function subgraph(phase: IrPhase, index: number, nodes: IrNode[]): string[] {
  const facts = [
    phase.budgetMs !== undefined ? `budget ${formatDuration(phase.budgetMs)}` : '',
    phase.parallel ? 'parallel' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const title = `${index + 1}. ${phase.title}${facts ? ` (${facts})` : ''}`;
  const out = [`  subgraph ${phaseId(phase.id)}[${mermaidLabel(title)}]`, '    direction TB'];
  for (const node of nodes) {
    if (hasGateInFront(node)) out.push(`    ${gateId(node.id)}{${mermaidLabel(`🔐 ${approvalSummary(node)}`)}}`);
    out.push(`    ${nodeShape(node)}`);
  }
  out.push('  end');
  return out;
}

function approvalSummary(node: IrNode): string {
  const a = node.approval;
  return a ? `${a.required} of ${a.approvers.join(', ') || 'approvers'}` : 'approval';
}

function nodeShape(node: IrNode): string {
  const id = mermaidId(node.id);
  if (node.irreversible) return `${id}{{${mermaidLabel(`⛔ ${node.title}`)}}}`;
  if (isGateStep(node)) return `${id}{${mermaidLabel(`🔐 ${node.title}`)}}`;
  if (node.recovery) return `${id}([${mermaidLabel(`${node.title} ✓ recovered`)}])`;
  return `${id}[${mermaidLabel(node.title)}]`;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly critical: boolean;
}

/**
 * One edge per `needs` entry inside a phase (into the gate when a step has one), plus gate →
 * step. A need on another phase is the phase barrier (the IR keeps no other cross-phase needs):
 * drawn once as an edge between the two subgraphs, since every exit × entry pair would bury the
 * graph in crossing lines.
 */
function graphEdges(graph: IrGraph): Edge[] {
  const critical = criticalPairs(graph.rto.criticalPath);
  const phaseOf = new Map(graph.nodes.map((n) => [n.id, n.phase]));
  const edges: Edge[] = [];
  const barriers = new Map<string, Edge>();
  for (const node of graph.nodes) {
    const target = hasGateInFront(node) ? gateId(node.id) : mermaidId(node.id);
    for (const need of node.needs) {
      const onPath = critical.has(`${need}\u0000${node.id}`);
      const from = phaseOf.get(need);
      if (from !== undefined && from !== node.phase) {
        const key = `${from}\u0000${node.phase}`;
        const seen = barriers.get(key);
        if (!seen) {
          const edge = { from: phaseId(from), to: phaseId(node.phase), critical: onPath };
          barriers.set(key, edge);
          edges.push(edge);
        } else if (onPath) edges[edges.indexOf(seen)] = { ...seen, critical: true };
        continue;
      }
      edges.push({ from: mermaidId(need), to: target, critical: onPath });
    }
    if (hasGateInFront(node)) {
      edges.push({ from: gateId(node.id), to: mermaidId(node.id), critical: graph.rto.criticalPath.includes(node.id) });
    }
  }
  return edges;
}

/**
 * `finally` has no barrier edge in the IR (it runs however the phases end): a dotted "always"
 * link from the last phase says so. Drawn after the other links, so `linkStyle` indices hold.
 */
function finallyEdge(graph: IrGraph): string[] {
  const i = graph.phases.findIndex((p) => p.finally);
  if (i <= 0) return [];
  return [`  ${phaseId(graph.phases[i - 1].id)} -. always .-> ${phaseId(graph.phases[i].id)}`];
}

function criticalPairs(path: readonly string[]): Set<string> {
  const pairs = new Set<string>();
  for (let i = 1; i < path.length; i++) pairs.add(`${path[i - 1]}\u0000${path[i]}`);
  return pairs;
}

function styles(graph: IrGraph, edges: readonly Edge[]): string[] {
  const out = [
    '  classDef critical stroke:#cf222e,stroke-width:3px',
    '  classDef irreversible fill:#ffebe9,stroke:#82071e,color:#82071e',
    '  classDef gate fill:#fff8c5,stroke:#9a6700',
  ];
  const ids = (nodes: IrNode[]) => nodes.map((n) => mermaidId(n.id));
  const gates = [
    ...graph.nodes.filter(hasGateInFront).map((n) => gateId(n.id)),
    ...ids(graph.nodes.filter(isGateStep)),
  ];
  const onPath = new Set(graph.rto.criticalPath);
  const classes: [string, string[]][] = [
    ['gate', gates],
    ['irreversible', ids(graph.nodes.filter((n) => n.irreversible))],
    // Last, so the critical stroke wins over the other classes' strokes.
    ['critical', ids(graph.nodes.filter((n) => onPath.has(n.id)))],
  ];
  for (const [name, members] of classes) if (members.length) out.push(`  class ${members.join(',')} ${name}`);
  const thick = edges.flatMap((e, i) => (e.critical ? [i] : []));
  if (thick.length) out.push(`  linkStyle ${thick.join(',')} stroke:#cf222e,stroke-width:4px`);
  return out;
}
