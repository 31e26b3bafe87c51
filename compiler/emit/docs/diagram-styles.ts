import type { StyleClass } from './diagram-model.js';

export interface ClassStyle {
  readonly fill: string;
  /** The label's text colour: explicit, because GitHub's dark theme draws text light grey. */
  readonly color: string;
  readonly stroke?: string;
  readonly strokeWidth?: string;
}

/**
 * The diagram classes. GitHub draws Mermaid with the `default` theme in light mode and the `dark`
 * theme in dark mode, and a classDef's fill and colour apply in both: each pair is chosen to be
 * readable on its own (WCAG contrast ≥ 4.5:1, checked by a test), whatever the theme around it.
 * `critical` comes first and the others set no stroke, so a gate or point of no return on the
 * critical path keeps its own fill and text and the critical red outline (Mermaid applies a node's
 * classes in the order of the `class` lines, the later one winning).
 */
export const classStyles: Readonly<Record<StyleClass, ClassStyle>> = {
  critical: { fill: '#ffebe9', color: '#1f2328', stroke: '#cf222e', strokeWidth: '3px' },
  irreversible: { fill: '#82071e', color: '#ffffff' },
  gate: { fill: '#fff8c5', color: '#3b2300' },
  decision: { fill: '#ddf4ff', color: '#0a3069' },
  collapsed: { fill: '#f6f8fa', color: '#1f2328' },
};

/** Order of the `class` lines (see above). */
export const classOrder: readonly StyleClass[] = ['critical', 'irreversible', 'gate', 'decision', 'collapsed'];

export function classDefLine(name: StyleClass): string {
  const s = classStyles[name];
  const parts = [`fill:${s.fill}`, `color:${s.color}`];
  if (s.stroke) parts.push(`stroke:${s.stroke}`);
  if (s.strokeWidth) parts.push(`stroke-width:${s.strokeWidth}`);
  return `classDef ${name} ${parts.join(',')}`;
}

/** Colour of the critical path's links. */
export const criticalLinkStyle = 'stroke:#cf222e,stroke-width:4px';
