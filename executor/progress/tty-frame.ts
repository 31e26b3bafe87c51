import pc from 'picocolors';
import { formatDuration } from '../../ir/duration.js';
import {
  currentRollback,
  isEnded,
  phaseSteps,
  type PhaseState,
  type StepApproval,
  type StepState,
} from '../run-state/fold-run.js';
import { LOG_LINES, type TtyState } from './tty-state.js';
import { parkedText } from '../audit/summary-types.js';

const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
type Colors = ReturnType<typeof pc.createColors>;

/** Terminal size; a frame taller than `rows` is compacted, long texts are clipped to `columns`. */
export interface FrameSize {
  readonly rows?: number;
  readonly columns?: number;
}

/**
 * One frame of the live view, a pure function of the state and the time (the spinner and the
 * timers move with `now`). When the frame is taller than the terminal it is compacted step by
 * step: finished phases become one line, then phases not started, then finished steps of the
 * running phases; log-update cuts what is still too tall from the top.
 */
export function renderFrame(state: TtyState, now: number, color: boolean, size: FrameSize = {}): string {
  const c = pc.createColors(color);
  const width = Math.max(20, (size.columns ?? 120) - 36);
  let lines: string[] = [];
  for (let level = 0; level <= 3; level++) {
    const f: Frame = { state, now, c, level, width };
    lines = [...runLine(f), ...phaseLines(f), ...outputLines(f), ...endLines(f)];
    if (size.rows === undefined || lines.length < size.rows) break;
  }
  return lines.join('\n');
}

interface Frame {
  readonly state: TtyState;
  readonly now: number;
  readonly c: Colors;
  /** How compacted: 0 shows everything, 3 the least. */
  readonly level: number;
  readonly width: number;
}

/** Who runs what since when: from run:start, or from run:resume when the view starts there. */
function runLine({ state, now, c }: Frame): string[] {
  const { start, header, resumes, end } = state.run;
  const opened = start?.at ?? resumes[0]?.at;
  if (!opened || !header) return [];
  const elapsed = end?.durationMs ?? now - opened.ms;
  const flags = `${start?.dryRun ? ' (dry run)' : ''}${start?.drill ? ' (DRILL)' : ''}`;
  const last = resumes.at(-1);
  const resumed = last ? ` · resumed, ${last.completed.length} steps done earlier` : '';
  const by = start?.initiator ?? resumes[0].by;
  const plan = (start?.planHash ?? header.planHash).slice(0, 12);
  return [
    c.bold(`▶ ${start?.runbook ?? header.runbook}${flags}`) +
      c.dim(` · run ${header.runId} · plan ${plan} · by ${by} · ${dur(elapsed)}${resumed}`),
  ];
}

function phaseLines(f: Frame): string[] {
  const { state, now, c, level, width } = f;
  const lines: string[] = [];
  for (const phase of state.run.phases) {
    const steps = phaseSteps(phase).map((id) => state.run.steps.get(id)!);
    const ended = steps.length > 0 && steps.every((s) => isEnded(s.status));
    lines.push(phaseHeader(phase, steps, now, c));
    const notStarted = phase.started === undefined && steps.every((s) => s.status === 'pending' && !waiting(s));
    if ((level >= 1 && ended) || (level >= 2 && notStarted)) continue;
    const idWidth = Math.min(40, Math.max(...steps.map((s) => s.id.length)));
    let hidden = 0;
    for (const s of steps) {
      if (level >= 3 && (s.status === 'succeeded' || s.status === 'skipped')) hidden++;
      else lines.push(`  ${icon(s, now, c)} ${s.id.padEnd(idWidth)}  ${detail(s, now, c, width)}`);
    }
    if (hidden) lines.push(c.dim(`  ✔ ${hidden} more steps done`));
  }
  return lines;
}

/** The last lines of the steps still running, and of those that failed. */
function outputLines({ state, c, level, width }: Frame): string[] {
  const talking = [...state.run.steps.values()].filter(
    (s) => state.logs.get(s.id)?.length && (!isEnded(s.status) || s.status === 'failed' || s.status === 'timed-out'),
  );
  if (!talking.length) return [];
  const lines = [c.dim('── output')];
  for (const s of talking)
    for (const l of state.logs.get(s.id)!.slice(level >= 3 ? -1 : -LOG_LINES))
      lines.push(c.dim(`  ${s.id} │ `) + clip(l, width + 20));
  return lines;
}

function endLines({ state, c, width }: Frame): string[] {
  const lines: string[] = [];
  const r = currentRollback(state.run);
  if (r) {
    const status = r.end ? ` · ${r.end.status}` : '';
    const progress = `${r.steps.length}/${r.planned.length} compensated${status}`;
    lines.push(c.yellow(`↺ rolling back (${clip(r.reason, width)}): ${progress}`));
  }
  for (const n of state.notes) lines.push(c.yellow(`! ${n}`));
  const { end, parked, start, resumes, header } = state.run;
  const runbook = start?.runbook ?? (resumes.length && header ? header.runbook : 'run');
  // A parked run has no run:end: it is not over, it waits (without a runner) for an approval.
  if (!end && parked) lines.push(c.yellow(c.bold(`⏸ ${runbook} ${parkedText(parked)}`)));
  if (end) {
    const ok = end.status === 'succeeded';
    lines.push(
      (ok ? c.green : c.red)(c.bold(`${ok ? '✔' : '✖'} ${runbook} ${end.status} in ${dur(end.durationMs)}`)) +
        (end.error ? ` · ${end.error}` : ''),
    );
  }
  return lines;
}

function phaseHeader(p: PhaseState, steps: StepState[], now: number, c: Colors): string {
  const elapsed = p.durationMs ?? (p.started !== undefined ? now - p.started.ms : undefined);
  const failed = steps.some((s) => s.status === 'failed' || s.status === 'timed-out');
  const mark = p.durationMs === undefined ? '──' : failed ? c.red('✖ ') : c.green('✔ ');
  let budget = '';
  if (p.budgetMs !== undefined && elapsed === undefined) budget = c.dim(` · budget ${formatDuration(p.budgetMs)}`);
  else if (p.budgetMs !== undefined && elapsed !== undefined) {
    const left = p.budgetMs - elapsed;
    budget =
      ` of ${formatDuration(p.budgetMs)} · ` +
      (left >= 0 ? `${dur(left)} left` : c.red(c.bold(`${dur(-left)} over budget`)));
  }
  const time =
    elapsed === undefined ? c.dim('  not started') : `  ${p.durationMs === undefined ? '' : 'done in '}${dur(elapsed)}`;
  const done = steps.filter((s) => isEnded(s.status)).length;
  return c.bold(`${mark} ${p.id}`) + time + budget + c.dim(` · ${done}/${steps.length} steps`);
}

/** The approval the step waits for: asked, and not granted in full or refused for good. */
function waiting(s: StepState): StepApproval | undefined {
  return s.approval?.open ? s.approval : undefined;
}

function icon(s: StepState, now: number, c: Colors): string {
  if (waiting(s)) return c.yellow(c.bold('◆'));
  switch (s.status) {
    case 'pending':
      return c.dim('·');
    case 'running':
      return c.cyan(SPINNER[Math.floor(now / 100) % SPINNER.length]);
    case 'retrying':
      return c.yellow('↻');
    case 'succeeded':
      return c.green('✔');
    case 'skipped':
      return c.dim('○');
    case 'cancelled':
      return c.yellow('✖');
    default:
      return c.red('✖');
  }
}

function detail(s: StepState, now: number, c: Colors, width: number): string {
  const a = waiting(s);
  if (a) {
    const who = clip(a.approvers.join(', '), width);
    return (
      c.bgYellow(c.black(' APPROVAL ')) +
      c.yellow(c.bold(` waiting ${dur(now - a.requested.ms)} · ${a.count}/${a.required} from ${who}`))
    );
  }
  const attempts = s.attempts > 1 ? c.dim(` · ${s.attempts} attempts`) : '';
  switch (s.status) {
    case 'pending':
      return c.dim('pending');
    case 'running':
      return `${dur(now - (s.started?.ms ?? now))}${s.attempt > 1 ? c.dim(` · attempt ${s.attempt}`) : ''}`;
    case 'retrying':
      return (
        c.yellow(`retrying in ${dur(Math.max(0, (s.retryAt ?? now) - now))}`) +
        c.dim(` · attempt ${s.attempt} failed: ${clip(s.error ?? '', width)}`)
      );
    case 'succeeded':
      return `${dur(s.durationMs ?? 0)}${attempts}${s.reason ? c.dim(` (${s.reason})`) : ''}`;
    case 'skipped':
      return c.dim(`skipped${s.reason ? ` (${s.reason})` : ''}`);
    default:
      return (
        (s.status === 'cancelled' ? c.yellow : c.red)(`${s.status} after ${dur(s.durationMs ?? 0)}`) +
        attempts +
        (s.error ? c.red(`: ${clip(s.error, width)}`) : '')
      );
  }
}

/** `0.4s`, `9.9s`, then whole seconds the way runbooks write durations (`12s`, `1m5s`). */
function dur(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  return formatDuration(Math.floor(ms / 1000) * 1000);
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
