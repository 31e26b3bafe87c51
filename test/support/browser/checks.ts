import { contrastRatio, hex, over, parseColor, type Rgba } from './contrast.js';
import type { Theme } from './page-html.js';
import { targetProblem, type Scheme, type Site } from './site.js';

/** What inspect.browser.js returns for one page. */
export interface Inspection {
  readonly background: string;
  readonly diagrams: readonly Diagram[];
  readonly strayErrors: number;
  readonly links: readonly { text: string; raw: string; resolved: string }[];
}
export interface Diagram {
  readonly index: number;
  readonly rendered: boolean;
  readonly kind?: string;
  readonly error?: boolean;
  readonly renderedWidth?: number;
  readonly viewBoxWidth?: number;
  readonly fontSize?: number;
  readonly texts?: readonly DiagramText[];
}
export interface DiagramText {
  readonly text: string;
  readonly color: string;
  readonly opacity: number;
  readonly where: string;
  /** Its own computed font size, in the SVG's units (before the page scales the SVG). */
  readonly fontSize?: number;
  readonly layers: readonly { color: string; opacity: number; what: string }[];
}

export type Check = 'mermaid' | 'console' | 'scale' | 'contrast' | 'link';
/** One failed check, with the page, theme and element it is about. */
export interface Finding {
  readonly check: Check;
  readonly message: string;
}

/** Readable text: 11 px is the smallest size GitHub's own UI uses for small print. */
export const minTextPx = 11;
/** WCAG 2.x AA for normal text (https://www.w3.org/TR/WCAG21/#contrast-minimum). */
export const minContrast = 4.5;

const name = (d: Diagram) => `diagram ${d.index + 1}${d.kind ? ` (${d.kind})` : ''}`;

/** Mermaid threw, drew its error diagram, or left a block unrendered. */
export function mermaidFindings(thrown: readonly string[], page: Inspection): Finding[] {
  const out: Finding[] = thrown.map((e) => ({ check: 'mermaid', message: `mermaid.run() threw: ${e}` }));
  for (const d of page.diagrams) {
    if (!d.rendered) out.push({ check: 'mermaid', message: `${name(d)} was not rendered` });
    else if (d.error) out.push({ check: 'mermaid', message: `${name(d)} is Mermaid's error diagram` });
  }
  if (page.strayErrors > 0)
    out.push({ check: 'mermaid', message: `${page.strayErrors} stray Mermaid error diagram(s)` });
  return out;
}

/** The text size a reader sees: the diagram's font size times how much the page scaled the SVG. */
export function effectiveTextPx(d: Diagram): number {
  return ((d.fontSize ?? 16) * (d.renderedWidth ?? 0)) / (d.viewBoxWidth || 1);
}

/** One text of a diagram as a reader sees it: its own font size, scaled like the diagram. */
export function textEffectivePx(d: Diagram, t: DiagramText): number {
  return ((t.fontSize ?? d.fontSize ?? 16) * (d.renderedWidth ?? 0)) / (d.viewBoxWidth || 1);
}

/**
 * A diagram the page shrinks below readable text, or else its smallest text below readable size
 * (a Gantt axis's tick labels are 10 px in d3's default): one finding per diagram.
 */
export function scaleFindings(page: Inspection): Finding[] {
  return page.diagrams
    .filter((d) => d.rendered && !d.error)
    .flatMap((d): Finding[] => {
      if (!(effectiveTextPx(d) >= minTextPx)) {
        const size = `${Math.round(d.viewBoxWidth ?? 0)} px wide, drawn at ${Math.round(d.renderedWidth ?? 0)} px`;
        const message = `${name(d)} is ${size}: its ${d.fontSize} px text reads as ${effectiveTextPx(d).toFixed(1)} px (< ${minTextPx} px)`;
        return [{ check: 'scale', message }];
      }
      const small = (d.texts ?? []).filter((t) => !(textEffectivePx(d, t) >= minTextPx));
      if (!small.length) return [];
      const least = small.reduce((a, b) => (textEffectivePx(d, b) < textEffectivePx(d, a) ? b : a));
      const message =
        `${name(d)} has ${small.length} text(s) below ${minTextPx} px, the smallest "${least.text}" (${least.where}) ` +
        `reads as ${textEffectivePx(d, least).toFixed(1)} px`;
      return [{ check: 'scale', message }];
    });
}

/** The text's colour and the colour behind it, both composited down to the page background. */
export function textContrast(t: DiagramText, pageBackground: Rgba): { ratio: number; fg: Rgba; bg: Rgba } | string {
  let bg = pageBackground;
  for (const layer of [...t.layers].reverse()) {
    const c = parseColor(layer.color);
    if (!c) return `unreadable background colour ${layer.color} (${layer.what})`;
    bg = over(c, bg, layer.opacity);
  }
  const fg = parseColor(t.color);
  if (!fg) return `unreadable text colour ${t.color}`;
  const text = over(fg, bg, t.opacity);
  return { ratio: contrastRatio(text, bg), fg: text, bg };
}

export function contrastFindings(page: Inspection): Finding[] {
  const background = parseColor(page.background) ?? { r: 255, g: 255, b: 255, a: 1 };
  const out: Finding[] = [];
  for (const d of page.diagrams)
    for (const t of d.texts ?? []) {
      const c = textContrast(t, background);
      const label = `${name(d)} ${t.where} "${t.text.slice(0, 40)}"`;
      if (typeof c === 'string') out.push({ check: 'contrast', message: `${label}: ${c}` });
      else if (c.ratio < minContrast)
        out.push({
          check: 'contrast',
          message: `${label}: ${hex(c.fg)} on ${hex(c.bg)} (${t.layers[0]?.what ?? 'page'}) is ${c.ratio.toFixed(2)}:1 (< ${minContrast}:1)`,
        });
    }
  return out;
}

/** Every same-origin link reaches a page of the set (and its anchor, as GitHub renders ids), a file or a workflow. */
export function linkFindings(page: Inspection, origin: string, site: Site): Finding[] {
  const out: Finding[] = [];
  for (const link of page.links) {
    const what = `link "${link.text}" (${link.raw})`;
    if (!link.raw) {
      out.push({ check: 'link', message: `${what} has no href` });
      continue;
    }
    const url = new URL(link.resolved);
    if (url.origin !== origin) continue;
    const problem = targetProblem(url, site);
    if (problem) out.push({ check: 'link', message: `${what}: ${problem}` });
  }
  return out;
}

/** All findings of one page in one theme and place, each message prefixed with all three. */
export function allFindings(
  o: {
    page: string;
    theme: Theme;
    scheme: Scheme;
    thrown: readonly string[];
    consoleErrors: readonly string[];
    inspection: Inspection;
  },
  origin: string,
  site: Site,
): Finding[] {
  const found: Finding[] = [
    ...mermaidFindings(o.thrown, o.inspection),
    ...o.consoleErrors.map((e): Finding => ({ check: 'console', message: e })),
    ...scaleFindings(o.inspection),
    ...contrastFindings(o.inspection),
    ...linkFindings(o.inspection, origin, site),
  ];
  return found.map((f) => ({ ...f, message: `${o.page} (${o.theme}, ${o.scheme}): ${f.check}: ${f.message}` }));
}
