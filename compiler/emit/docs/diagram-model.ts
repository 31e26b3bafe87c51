import type { IrGraph, IrNode, IrPhase } from '../../../ir/types.js';
import { isGate } from '../../../common/actions-catalog/index.js';
import { branchView, type AlternativeGroup, type Condition } from '../../graph/alternatives.js';

/** How a box is drawn; the legend lists the shapes a page uses. */
export type Shape = 'rect' | 'round' | 'stadium' | 'hexagon' | 'diamond';

/** Style classes (see diagram-styles.ts). */
export type StyleClass = 'critical' | 'irreversible' | 'gate' | 'decision' | 'collapsed';

export interface DiagramItem {
  readonly id: string;
  /** Plain text; `lines` (when set) are drawn one per line after it. */
  readonly label: string;
  readonly lines?: readonly string[];
  readonly shape: Shape;
  readonly classes: readonly StyleClass[];
  /** The steps this box stands for (one, or several for a collapsed fan-out). */
  readonly steps: readonly string[];
}

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly critical: boolean;
  readonly dotted?: boolean;
}

/** Items drawn stacked in a box of their own ("N in parallel"), linked as a whole. */
export interface DiagramStack {
  readonly id: string;
  readonly title: string;
  readonly members: readonly string[];
}

export interface PhaseDiagram {
  readonly phase: IrPhase;
  readonly items: readonly DiagramItem[];
  readonly edges: readonly DiagramEdge[];
  readonly stacks: readonly DiagramStack[];
}

/** `s_<id>`: a Mermaid-safe node id for a step. */
export function mermaidId(stepId: string): string {
  return `s_${stepId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The id of the gate node drawn in front of a step with an `approval` field. */
export function gateId(stepId: string): string {
  return `g_${stepId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The id of the decision drawn in front of `if:` alternatives (named after the first branch's first step). */
export function decisionId(stepId: string): string {
  return `d_${stepId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The id of the box naming a branch's condition (named after the branch's first step). */
export function branchId(stepId: string): string {
  return `b_${stepId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Steps that are approval gates themselves, rather than steps guarded by a gate. */
export function isGateStep(node: IrNode): boolean {
  return isGate(node.uses);
}

export function hasGateInFront(node: IrNode): boolean {
  return node.approval !== undefined && !isGateStep(node);
}

function approvalSummary(node: IrNode): string {
  const a = node.approval;
  return a ? `${a.required} of ${a.approvers.join(', ') || 'approvers'}` : 'approval';
}

export function stepItem(node: IrNode, critical: boolean): DiagramItem {
  const base = { id: mermaidId(node.id), steps: [node.id] };
  const path: StyleClass[] = critical ? ['critical'] : [];
  if (node.irreversible)
    return { ...base, label: `⛔ ${node.title}`, shape: 'hexagon', classes: [...path, 'irreversible'] };
  if (isGateStep(node)) return { ...base, label: `🔐 ${node.title}`, shape: 'diamond', classes: [...path, 'gate'] };
  if (node.recovery) return { ...base, label: `${node.title} ✓ recovered`, shape: 'stadium', classes: path };
  return { ...base, label: node.title, shape: 'rect', classes: path };
}

/** `= value` / `≠ value`: the label of the edge from a decision to a branch. */
export function conditionLabel(c: Condition): string {
  return `${c.op === 'eq' ? '=' : '≠'} ${c.value}`;
}

/**
 * One phase as boxes and arrows: each step (a gate in front of a step with an `approval` field),
 * `if:` alternatives as a decision with a labelled arrow per branch joining again afterwards, and
 * the `needs` inside the phase (the phase order itself is the overview diagram's job).
 */
export function phaseDiagram(graph: IrGraph, phase: IrPhase): PhaseDiagram {
  const view = branchView(graph.nodes);
  const members = new Set(phase.steps);
  const nodes = graph.nodes.filter((n) => members.has(n.id));
  const onPath = new Set(graph.rto.criticalPath);
  const items: DiagramItem[] = [];
  const edges: DiagramEdge[] = [];
  const groups = view.groups.filter((g) => g.phase === phase.id);
  const heads = new Map(groups.map((g) => [g.branches[0].steps[0], g]));
  for (const node of nodes) {
    const group = heads.get(node.id);
    if (group) decision(group, { members, onPath, target: (id) => targetOf(nodes, id) }, items, edges);
    const critical = onPath.has(node.id);
    const branchHead = groups.some((g) => g.branches.some((b) => b.steps[0] === node.id));
    const target = targetOf(nodes, node.id);
    if (hasGateInFront(node)) {
      items.push({
        id: gateId(node.id),
        label: `🔐 ${approvalSummary(node)}`,
        shape: 'diamond',
        classes: critical ? ['critical', 'gate'] : ['gate'],
        steps: [],
      });
      edges.push({ from: gateId(node.id), to: mermaidId(node.id), critical });
    }
    items.push(stepItem(node, critical));
    if (branchHead) continue;
    for (const need of view.needs.get(node.id) ?? node.needs) {
      if (!members.has(need)) continue;
      edges.push({ from: mermaidId(need), to: target, critical: critical && onPath.has(need) });
    }
  }
  return withStart({ phase, items, edges, stacks: [] }, graph.phases.indexOf(phase) + 1);
}

/** Id of the box where a phase diagram starts. */
export const phaseStartId = 'ph_start';

/**
 * A start box in front of the steps that wait for nothing in the phase: the phase reads from the
 * top, and no box floats unconnected (dagre places those beside the graph, which makes it wider).
 * There is no end box: long arrows from early steps down to it would widen the diagram too.
 */
function withStart(diagram: PhaseDiagram, n: number): PhaseDiagram {
  const { items, edges } = diagram;
  const sources = items.filter((i) => !edges.some((e) => e.to === i.id));
  const start: DiagramItem = { id: phaseStartId, label: `Phase ${n} starts`, shape: 'round', classes: [], steps: [] };
  return {
    ...diagram,
    items: [start, ...items],
    edges: [
      ...sources.map((i) => ({ from: phaseStartId, to: i.id, critical: i.classes.includes('critical') })),
      ...edges,
    ],
  };
}

/** Where arrows into a step end: its gate when it has one in front. */
function targetOf(nodes: readonly IrNode[], id: string): string {
  const node = nodes.find((n) => n.id === id);
  return node && hasGateInFront(node) ? gateId(id) : mermaidId(id);
}

interface DecisionContext {
  readonly members: ReadonlySet<string>;
  readonly onPath: ReadonlySet<string>;
  readonly target: (stepId: string) => string;
}

/** The decision in front of alternatives: from the entry (inside the phase) to each branch's first step. */
function decision(group: AlternativeGroup, ctx: DecisionContext, items: DiagramItem[], edges: DiagramEdge[]): void {
  const { members, onPath } = ctx;
  const id = decisionId(group.branches[0].steps[0]);
  const critical = group.branches.some((b) => onPath.has(b.steps[0]));
  items.push({
    id,
    label: `${group.subject}?`,
    shape: 'diamond',
    classes: critical ? ['critical', 'decision'] : ['decision'],
    steps: [],
  });
  for (const need of group.entry) {
    if (members.has(need)) edges.push({ from: mermaidId(need), to: id, critical: critical && onPath.has(need) });
  }
  // The condition of each branch is a box, not an edge label: Mermaid's dark theme draws edge
  // labels light grey on mid grey (about 4.4:1), and a box's colours can be set to read in both themes.
  for (const b of group.branches) {
    const head = b.steps[0];
    const on = onPath.has(head);
    const when = branchId(head);
    items.push({
      id: when,
      label: conditionLabel(b.condition),
      shape: 'round',
      classes: on ? ['critical', 'decision'] : ['decision'],
      steps: [],
    });
    edges.push({ from: id, to: when, critical: on }, { from: when, to: ctx.target(head), critical: on });
  }
}
