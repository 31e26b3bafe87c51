/**
 * The Gantt chart's axis, chosen from the run's span: a 282 ms dry run gets ticks every 50 ms, a
 * two-hour drill every 15 minutes. The axis counts from the run's start (see renderGantt for why
 * it never shows clock times). Pure: the same span gives the same axis in every time zone.
 */

export type AxisUnit = 'ms' | 's' | 'min' | 'h';

export interface GanttAxis {
  readonly unit: AxisUnit;
  /** Mermaid's `axisFormat`: an epoch directive (`%Q` milliseconds, `%s` seconds) and the unit. */
  readonly format: string;
  /** Real milliseconds between two ticks. */
  readonly tickMs: number;
  /** What a value in the chart's text counts, for the comment that heads it. */
  readonly valueWords: string;
  /** Real milliseconds from the run's start → the chart's value (an integer). */
  toValue(ms: number): number;
}

/** About this many ticks at most: GitHub's content column is ~900 px, a label ~60 px. */
export const maxTicks = 8;

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

/** Steps a reader counts in without effort, smallest first. */
const niceSteps = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  second,
  2 * second,
  5 * second,
  10 * second,
  15 * second,
  30 * second,
  minute,
  2 * minute,
  5 * minute,
  10 * minute,
  15 * minute,
  30 * minute,
  hour,
  2 * hour,
  3 * hour,
  6 * hour,
  12 * hour,
  day,
];

/**
 * How a unit is written: `%s` prints whole seconds since the epoch, so a value counted in
 * thousandths of a minute prints as minutes. `msPerValue` is how many real milliseconds one value
 * stands for; a tick step is a whole number of units, so labels are whole numbers.
 */
const units: Record<AxisUnit, { format: string; msPerValue: number; valueWords: string }> = {
  ms: { format: '%Q ms', msPerValue: 1, valueWords: 'milliseconds' },
  s: { format: '%s s', msPerValue: 1, valueWords: 'milliseconds' },
  min: { format: '%s min', msPerValue: minute / 1000, valueWords: 'thousandths of a minute' },
  h: { format: '%s h', msPerValue: hour / 1000, valueWords: 'thousandths of an hour' },
};

/** The tick step: the smallest nice step that keeps the ticks within `maxTicks`. */
export function tickStepFor(spanMs: number): number {
  const span = Math.max(0, spanMs);
  const step = niceSteps.find((s) => span / s <= maxTicks);
  return step ?? Math.ceil(span / maxTicks / day) * day;
}

function unitOf(stepMs: number): AxisUnit {
  return stepMs < second ? 'ms' : stepMs < minute ? 's' : stepMs < hour ? 'min' : 'h';
}

/** The axis of a run that lasted `spanMs`. */
export function ganttAxis(spanMs: number): GanttAxis {
  const tickMs = tickStepFor(spanMs);
  const unit = unitOf(tickMs);
  const { format, msPerValue, valueWords } = units[unit];
  return { unit, format, tickMs, valueWords, toValue: (ms) => Math.round(ms / msPerValue) };
}
