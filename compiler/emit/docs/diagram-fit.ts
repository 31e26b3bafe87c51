import type { DiagramEdge, DiagramItem, DiagramStack, PhaseDiagram } from './diagram-model.js';
import { estimateWidth, fitWidth } from './diagram-width.js';

/**
 * Fan-outs wider than a page are folded: steps that run side by side with the same arrows in and
 * out are stacked in one box ("N in parallel", a subgraph laid out left to right, whose rank is a
 * single column), largest group first, until the estimate fits. In a stack, ordinary steps beyond
 * the first few are drawn as one box listing their titles; steps on the critical path, points of
 * no return and gates always keep a box of their own.
 */
export function fitPhaseDiagram(diagram: PhaseDiagram): PhaseDiagram {
  let current = diagram;
  for (const group of fanOuts(diagram)) {
    if (estimateWidth(current) <= fitWidth) break;
    current = stack(current, group);
  }
  return current;
}

/** Ordinary steps kept as boxes in a stack before the rest is collapsed into one. */
const keptInStack = 3;

/** Groups (≥ 2) of plain single-step items with the same sources and targets, largest first. */
function fanOuts(diagram: PhaseDiagram): string[][] {
  const labelled = new Set(diagram.edges.filter((e) => e.label).map((e) => e.to));
  const signature = (id: string): string => {
    const ins = diagram.edges.filter((e) => e.to === id).map((e) => e.from);
    const outs = diagram.edges.filter((e) => e.from === id).map((e) => e.to);
    return `${[...ins].sort().join(',')}>${[...outs].sort().join(',')}`;
  };
  const bySignature = new Map<string, string[]>();
  for (const item of diagram.items) {
    if (item.steps.length !== 1 || !item.id.startsWith('s_') || labelled.has(item.id)) continue;
    const key = signature(item.id);
    bySignature.set(key, [...(bySignature.get(key) ?? []), item.id]);
  }
  return [...bySignature.values()].filter((g) => g.length > 1).sort((a, b) => b.length - a.length);
}

/**
 * Stacks a group, or folds it into one box: steps nothing in the phase waits for (notifications,
 * typically) are folded whole, since a stack of them sits beside the rest of the diagram.
 */
function stack(diagram: PhaseDiagram, members: readonly string[]): PhaseDiagram {
  const byId = new Map(diagram.items.map((i) => [i.id, i]));
  const plain = members.filter((m) => byId.get(m)!.classes.length === 0);
  const leaves = !diagram.edges.some((e) => members.includes(e.from));
  const keep = leaves ? 0 : keptInStack;
  const folded = plain.length > keep + 1 ? plain.slice(keep) : [];
  const boxes = [...members.filter((m) => !folded.includes(m)), ...(folded.length ? [collapsedId(folded[0])] : [])];
  const items: DiagramItem[] = diagram.items.filter((i) => !folded.includes(i.id));
  const at = diagram.items.findIndex((i) => i.id === folded[0]);
  const before = diagram.items.slice(0, at).filter((i) => !folded.includes(i.id)).length;
  if (folded.length) items.splice(before, 0, collapsed(folded.map((m) => byId.get(m)!)));
  const inside = new Set(members);
  if (boxes.length === 1) return { ...diagram, items, edges: rewire(diagram.edges, inside, boxes[0]) };
  const st: DiagramStack = { id: `st_${members[0]}`, title: `${members.length} in parallel`, members: boxes };
  return { ...diagram, items, edges: rewire(diagram.edges, inside, st.id), stacks: [...diagram.stacks, st] };
}

function collapsedId(first: string): string {
  return `c_${first}`;
}

function collapsed(items: readonly DiagramItem[]): DiagramItem {
  return {
    id: collapsedId(items[0].id),
    label: `${items.length} steps in parallel:`,
    lines: items.map((i) => `• ${i.label}`),
    shape: 'rect',
    classes: ['collapsed'],
    steps: items.flatMap((i) => i.steps),
  };
}

/** Arrows to or from a stack's members end at the stack; duplicates merge (critical if any was). */
function rewire(edges: readonly DiagramEdge[], inside: ReadonlySet<string>, stackId: string): DiagramEdge[] {
  const out: DiagramEdge[] = [];
  const seen = new Map<string, number>();
  for (const e of edges) {
    const next = { ...e, from: inside.has(e.from) ? stackId : e.from, to: inside.has(e.to) ? stackId : e.to };
    const key = `${next.from}\u0000${next.to}\u0000${next.label ?? ''}`;
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, out.length);
      out.push(next);
    } else if (next.critical) out[at] = { ...out[at], critical: true };
  }
  return out;
}
