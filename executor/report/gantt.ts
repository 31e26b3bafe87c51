/**
 * Mermaid Gantt text. This is the one place the report builds Markdown-adjacent text by hand:
 * a code block's value is opaque to mdast, so the syntax rules Mermaid's lexer imposes are kept
 * here, next to the escaping that honours them.
 */

/** Tags Mermaid's Gantt understands; `crit` is drawn red, `active` highlighted, `done` grey. */
export type GanttTag = 'done' | 'crit' | 'active' | 'milestone';

/** One bar or milestone. Times are epoch milliseconds (the chart uses `dateFormat x`). */
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
  readonly sections: readonly GanttSection[];
}

/**
 * Renders the chart. Epoch-millisecond starts with millisecond durations (`1500ms`) rather than
 * clock times: a run may cross midnight, and Mermaid parses an end given as `x` timestamp less
 * reliably than a duration. `todayMarker off`, because today is far outside a past run's range
 * and would squash every bar.
 */
export function renderGantt(chart: GanttChart): string {
  const ids = new Set<string>();
  const lines = [
    'gantt',
    `  title ${escapeGanttLabel(chart.title)}`,
    '  dateFormat x',
    '  axisFormat %H:%M:%S',
    '  todayMarker off',
  ];
  for (const section of chart.sections) {
    if (section.tasks.length === 0) continue;
    lines.push(`  section ${escapeGanttLabel(section.name)}`);
    for (const t of section.tasks) {
      const id = uniqueId(ganttId(t.id), ids);
      const data = [...t.tags, id, String(Math.round(t.startMs)), `${Math.max(0, Math.round(t.durationMs))}ms`];
      lines.push(`    ${taskLabel(t.label)} :${data.join(', ')}`);
    }
  }
  return lines.join('\n');
}

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
