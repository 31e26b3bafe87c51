import { ganttAxis } from './gantt-axis.js';

/**
 * Mermaid Gantt text. This is the one place the report builds Markdown-adjacent text by hand:
 * a code block's value is opaque to mdast, so the syntax rules Mermaid's lexer imposes are kept
 * here, next to the escaping that honours them.
 */

/** Tags Mermaid's Gantt understands; `crit` is drawn red, `active` highlighted, `done` grey. */
export type GanttTag = 'done' | 'crit' | 'active' | 'milestone';

/** One bar or milestone. Times are milliseconds from the run's start, never clock times. */
export interface GanttTask {
  /** Any text: sanitised into a unique Mermaid id. */
  readonly id: string;
  /** Any text: escaped so it cannot break the line it sits on. */
  readonly label: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly tags: readonly GanttTag[];
}

export interface GanttSection {
  readonly name: string;
  readonly tasks: readonly GanttTask[];
}

export interface GanttChart {
  readonly title: string;
  /** The axis runs from 0 (the run's start) to here: the caller leaves out markers beyond it. */
  readonly spanMs: number;
  readonly sections: readonly GanttSection[];
}

/**
 * Renders the chart with an axis that counts time from the run's start, identical in every
 * browser time zone. Mermaid formats axis labels with d3's `timeFormat` and places custom ticks
 * with d3's local-time intervals (ganttRenderer: `tickFormat(timeFormat(axisFormat))`,
 * `timeMinute.every(n)`…), so `%H:%M` of a clock time reads differently in Los Angeles and in
 * UTC, and even `%M` shifts in zones offset by 30 or 45 minutes. Only three pieces are zone-free:
 * values given as epoch milliseconds (`dateFormat x`), ticks every N milliseconds
 * (`timeMillisecond.every(N)` is plain arithmetic on the epoch) and the epoch directives `%Q`
 * (milliseconds) and `%s` (seconds). So each time is an offset from the run's start placed at the
 * epoch, in a scaled unit (gantt-axis.ts) so that `%s` reads as seconds, minutes or hours.
 * `todayMarker off`: today lies far outside the axis and would squash every bar.
 */
/**
 * The axis's tick labels at 12 px: Mermaid draws the Gantt axis with d3-axis, which sets
 * `font-size="10"` on the axis group, below readable (the browser check's 11 px). No Gantt option
 * sizes the ticks (the gantt config's `fontSize` / `sectionFontSize` are the task and section
 * texts), so a CSS rule does, through `themeCSS` in an init directive: Mermaid applies an init
 * directive's keys except its `secure` ones (secure, securityLevel, startOnLoad, maxTextSize,
 * suppressErrorRendering, maxEdges), and appends `themeCSS` to the diagram's own style sheet,
 * where a CSS rule outranks the SVG presentation attribute. Mermaid docs, "Directives" (init:
 * "Any parameters not included in the secure array") and the config schema's `themeCSS`.
 * Whether github.com keeps `themeCSS` from a directive is not documented by GitHub: if it
 * drops it, the ticks stay at 10 px and nothing else changes.
 */
const axisTextDirective = '%%{init: {"themeCSS": ".tick text { font-size: 12px; }"}}%%';

export function renderGantt(chart: GanttChart): string {
  const axis = ganttAxis(chart.spanMs);
  const ids = new Set<string>();
  const minWidth = Math.ceil(axis.toValue(chart.spanMs) * minBarShare);
  const lines = [
    axisTextDirective,
    'gantt',
    `  title ${escapeGanttLabel(chart.title)}`,
    `  %% Values: ${axis.valueWords} since the run's start, not clock times`,
    '  dateFormat x',
    `  axisFormat ${axis.format}`,
    `  tickInterval ${axis.toValue(axis.tickMs)}millisecond`,
    '  todayMarker off',
  ];
  for (const section of chart.sections) {
    if (section.tasks.length === 0) continue;
    lines.push(`  section ${escapeGanttLabel(section.name)}`);
    for (const t of section.tasks) {
      const id = uniqueId(ganttId(t.id), ids);
      const width = t.tags.includes('milestone') ? 0 : Math.max(minWidth, axis.toValue(t.durationMs));
      const data = [...t.tags, id, String(axis.toValue(t.startMs)), `${width}ms`];
      lines.push(`    ${taskLabel(t.label)} :${data.join(', ')}`);
    }
  }
  return lines.join('\n');
}

/**
 * Bars narrower than this share of the axis are drawn at it (about 2 px at GitHub's content
 * width), so a 0 ms step is still seen; its label and the table carry the exact duration.
 */
export const minBarShare = 0.0025;

/** Mermaid ids are word characters; a leading letter keeps them apart from numbers and dates. */
export function ganttId(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z]/.test(id) ? id : `t_${id}`;
}

function uniqueId(id: string, taken: Set<string>): string {
  let out = id;
  for (let n = 2; taken.has(out); n++) out = `${id}_${n}`;
  taken.add(out);
  return out;
}

/**
 * Makes text safe on a Gantt line: `:` ends a task's label, `#` and `;` make Mermaid's entity
 * decoder (`#quot;`) and statement splitting eat text, a newline ends the line. Look-alike
 * characters keep the label readable.
 */
export function escapeGanttLabel(text: string): string {
  const out = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/:/g, '꞉')
    .replace(/#/g, '＃')
    .replace(/;/g, ',')
    .replace(/%%/g, '% %')
    .replace(/\s+/g, ' ')
    .trim();
  return out === '' ? '—' : out;
}

/**
 * Words Mermaid's lexer reads as a statement when a line starts with them (`gantt-check` would
 * lex as `gantt`), plus comments and dates: a label starting so gets a neutral prefix.
 */
const statementStart =
  /^(?:gantt\b|dateformat\s|inclusiveenddates\b|topaxis\b|axisformat\s|tickinterval\s|includes\s|excludes\s|todaymarker\s|weekday\s|weekend\s|title\s|accdescription\s|acctitle\s*:|accdescr|section\s|click\s|%|\d\d\d\d-\d\d-\d\d)/i;

function taskLabel(label: string): string {
  const out = escapeGanttLabel(label);
  return statementStart.test(out) ? `step ${out}` : out;
}
