import type { DiagramItem, PhaseDiagram } from './diagram-model.js';

/**
 * A deterministic estimate of how wide Mermaid draws a flowchart at its default 16 px font, so
 * the emitter can keep every diagram within a page's 900 px content width (beyond that GitHub
 * scales the SVG down and the text with it). The constants were measured on Mermaid 11's
 * flowchart renderer: labels wrap at 200 px (`flowchart.wrappingWidth`), a box adds 30 px of
 * padding each side, nodes in a rank are 50 px apart (`nodeSpacing`), a subgraph adds about
 * 37 px each side and the diagram 8 px. Character widths are on the wide side (fallback fonts
 * are wider than GitHub's Trebuchet MS), so the estimate errs towards too wide.
 */
export const maxDiagramWidth = 900;
/**
 * What the emitter folds fan-outs down to: dagre does not pack ranks tightly (a box with no
 * arrows may sit beside a rank rather than in it), so the estimate keeps a margin below 900.
 */
export const fitWidth = 800;
const wrap = 200;
const nodeSpacing = 50;
const stackPadding = 75;
const diagramPadding = 16;

/** Width of one line of text at 16 px, before wrapping. */
export function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0x2000) w += 20;
    else if (ch === ' ') w += 5;
    else if (/[A-Z0-9@#%&mwMW]/.test(ch)) w += 11;
    else w += 10;
  }
  return w;
}

/** A label's width after wrapping at 200 px (a single word longer than that is not broken) and its line count. */
export function wrapped(lines: readonly string[]): { width: number; lines: number } {
  let width = 0;
  let count = 0;
  for (const line of lines) {
    const full = textWidth(line);
    const longestWord = Math.max(0, ...line.split(' ').map(textWidth));
    width = Math.max(width, Math.min(full, Math.max(wrap, longestWord)));
    count += Math.max(1, Math.ceil(full / (wrap - 10)));
  }
  return { width, lines: count };
}

export function itemWidth(item: DiagramItem): number {
  const { width, lines } = wrapped([item.label, ...(item.lines ?? [])]);
  switch (item.shape) {
    case 'diamond':
      return width + 24 * lines + 30;
    case 'hexagon':
      return width + 50;
    default:
      return width + 60;
  }
}

/** Rank of every item (longest path from the sources) with stacks as one unit. */
function ranks(diagram: PhaseDiagram): Map<string, number> {
  const unitOf = new Map<string, string>();
  for (const s of diagram.stacks) for (const m of s.members) unitOf.set(m, s.id);
  const unit = (id: string): string => unitOf.get(id) ?? id;
  const units = [...new Set(diagram.items.map((i) => unit(i.id)))];
  const rank = new Map(units.map((u) => [u, 0]));
  // Longest path by relaxation: at most |units| rounds on a DAG.
  for (let round = 0; round < units.length; round++) {
    let changed = false;
    for (const e of diagram.edges) {
      const [a, b] = [unit(e.from), unit(e.to)];
      if (a === b || !rank.has(a) || !rank.has(b)) continue;
      const step = e.label ? 2 : 1;
      if (rank.get(b)! < rank.get(a)! + step) {
        rank.set(b, rank.get(a)! + step);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return rank;
}

/** Estimated width of a phase diagram in px: the widest rank (boxes, stacks and edge labels). */
export function estimateWidth(diagram: PhaseDiagram): number {
  const widths = new Map<string, number>(diagram.items.map((i) => [i.id, itemWidth(i)]));
  for (const s of diagram.stacks) {
    const inner = Math.max(textWidth(s.title) + 20, ...s.members.map((m) => widths.get(m) ?? 0));
    widths.set(s.id, inner + stackPadding);
  }
  const perRank = new Map<number, number[]>();
  const rankOf = ranks(diagram);
  for (const [unit, r] of rankOf) perRank.set(r, [...(perRank.get(r) ?? []), widths.get(unit) ?? 0]);
  // An edge label sits in the rank between its ends, like a box.
  for (const e of diagram.edges) {
    if (!e.label) continue;
    const r = (rankOf.get(e.from) ?? 0) + 1;
    perRank.set(r, [...(perRank.get(r) ?? []), textWidth(e.label) + 8]);
  }
  const rankWidth = (ws: number[]) => ws.reduce((a, b) => a + b, 0) + nodeSpacing * (ws.length - 1);
  return Math.max(0, ...[...perRank.values()].map(rankWidth)) + diagramPadding;
}
