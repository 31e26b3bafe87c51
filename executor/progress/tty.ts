import { createLogUpdate } from 'log-update';
import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';
import { formatDuration } from '../../ir/duration.js';
import type { StepLogger } from '../actions/action.js';
import type { AuditRecord } from '../audit/record.js';
import type { RunEvents, RunStatus, StepStatus } from '../core/events.js';
import { asksConfirmation } from '../../common/actions-catalog/index.js';

/** Where a step is, as far as the audit records tell. */
export type TtyStepStatus = 'pending' | 'running' | 'retrying' | StepStatus;

export interface TtyStep {
  readonly id: string;
  status: TtyStepStatus;
  attempt: number;
  /** The first attempt's start (ms since epoch): a step's elapsed time counts from here. */
  startedAt?: number;
  durationMs?: number;
  retryAt?: number;
  error?: string;
  reason?: string;
  /** Present while an approval is requested and not yet granted in full. */
  approval?: { required: number; count: number; approvers: string[]; since: number };
  /** The last few lines the step printed (already masked by the run's logger). */
  logs: string[];
}

export interface TtyPhase {
  readonly id: string;
  budgetMs?: number;
  steps: string[];
  startedAt?: number;
  durationMs?: number;
}

/** Everything the live view shows; built from audit records by `applyRecord`. */
export interface TtyState {
  run?: {
    runbook: string;
    runId: string;
    planHash: string;
    by: string;
    dryRun: boolean;
    drill: boolean;
    startedAt: number;
    resumed?: number;
  };
  phases: TtyPhase[];
  steps: Map<string, TtyStep>;
  rollback?: { reason: string; total: number; done: number; status?: string };
  notes: string[];
  /** Steps that may have a terminal prompt open: an approval asked for, a manual or checklist step running. */
  prompting: Set<string>;
  end?: { status: RunStatus; durationMs: number; error?: string };
}

const LOG_LINES = 3;
const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
type Colors = ReturnType<typeof pc.createColors>;

export function createTtyState(): TtyState {
  return { phases: [], steps: new Map(), notes: [], prompting: new Set() };
}

/**
 * Folds one audit record into the state (in place: a run of 10,000 steps must not copy the map
 * per record) and returns it. Times come from the records, so a replayed log renders the same.
 */
export function applyRecord(state: TtyState, r: AuditRecord): TtyState {
  const t = Date.parse(r.ts);
  if (!applyStepRecord(state, r, t)) applyRunRecord(state, r, t);
  return state;
}

function applyRunRecord(state: TtyState, r: AuditRecord, t: number): void {
  const d = r.data as Record<string, unknown>;
  switch (r.type) {
    case 'run:start': {
      const s = d as RunEvents['run:start'];
      state.run = {
        runbook: s.runbook,
        runId: r.runId,
        planHash: s.planHash,
        by: s.initiator,
        dryRun: s.dryRun,
        drill: s.drill,
        startedAt: t,
      };
      state.phases = s.phases.map((p) => ({ id: p.id, budgetMs: p.budgetMs, steps: [...p.steps] }));
      for (const id of s.phases.flatMap((p) => p.steps))
        state.steps.set(id, { id, status: 'pending', attempt: 0, logs: [] });
      break;
    }
    case 'run:resume': {
      const s = d as RunEvents['run:resume'];
      state.run ??= {
        runbook: r.runbook,
        runId: r.runId,
        planHash: r.planHash,
        by: s.by,
        dryRun: false,
        drill: false,
        startedAt: t,
      };
      state.run.resumed = s.completed.length;
      break;
    }
    case 'phase:start':
      phaseOf(state, (d as RunEvents['phase:start']).phaseId).startedAt = t;
      break;
    case 'phase:end': {
      const s = d as RunEvents['phase:end'];
      Object.assign(phaseOf(state, s.phaseId), {
        durationMs: s.durationMs,
        ...(s.budgetMs !== undefined ? { budgetMs: s.budgetMs } : {}),
      });
      break;
    }
    case 'rollback:start': {
      const s = d as RunEvents['rollback:start'];
      state.rollback = { reason: s.reason, total: s.steps.length, done: 0 };
      break;
    }
    case 'rollback:step': {
      const s = d as RunEvents['rollback:step'];
      if (state.rollback) state.rollback.done++;
      if (s.status !== 'succeeded')
        state.notes.push(`compensating ${s.stepId} ${s.status}${s.error ? `: ${s.error}` : ''}`);
      break;
    }
    case 'rollback:end':
      if (state.rollback) state.rollback.status = (d as RunEvents['rollback:end']).status;
      break;
    case 'operator:decision': {
      const s = d as RunEvents['operator:decision'];
      state.notes.push(`${s.by} decided ${s.decision} for ${s.stepId}${s.reason ? `: ${s.reason}` : ''}`);
      break;
    }
    case 'run:interrupted':
      state.notes.push(`interrupted (${(d as RunEvents['run:interrupted']).signal}): running steps are being stopped`);
      break;
    case 'run:end': {
      const s = d as RunEvents['run:end'];
      state.end = { status: s.status, durationMs: s.durationMs, ...(s.error ? { error: s.error } : {}) };
      break;
    }
  }
}

/** The records about one step; false for the others. */
function applyStepRecord(state: TtyState, r: AuditRecord, t: number): boolean {
  const d = r.data as Record<string, unknown>;
  const step = () => stepOf(state, d.stepId as string);
  switch (r.type) {
    case 'step:start':
      if (asksConfirmation((d as RunEvents['step:start']).uses)) state.prompting.add(step().id);
      else state.prompting.delete(step().id);
      Object.assign(step(), {
        status: 'running',
        attempt: (d as RunEvents['step:start']).attempt,
        retryAt: undefined,
        approval: undefined,
      });
      step().startedAt ??= t;
      break;
    case 'step:retry': {
      const s = d as RunEvents['step:retry'];
      state.prompting.delete(s.stepId);
      Object.assign(step(), { status: 'retrying', attempt: s.attempt, error: s.error, retryAt: t + s.delayMs });
      break;
    }
    case 'step:end': {
      const s = d as RunEvents['step:end'];
      state.prompting.delete(s.stepId);
      Object.assign(step(), {
        status: s.status,
        attempt: s.attempt,
        durationMs: s.durationMs,
        error: s.error,
        reason: s.reason,
        retryAt: undefined,
        approval: undefined,
      });
      step().startedAt ??= t - s.durationMs;
      break;
    }
    case 'approval:requested': {
      const s = d as RunEvents['approval:requested'];
      step().approval = { required: s.required, count: 0, approvers: s.approvers, since: t };
      state.prompting.add(s.stepId);
      break;
    }
    case 'approval:granted': {
      const s = d as RunEvents['approval:granted'];
      const st = step();
      if (st.approval) st.approval = s.count >= s.required ? undefined : { ...st.approval, count: s.count };
      if (s.count >= s.required) state.prompting.delete(s.stepId);
      pushLog(st, `approved by ${s.approval.approver} (${s.approval.source}) ${s.count}/${s.required}`);
      break;
    }
    case 'approval:refused': {
      const s = d as RunEvents['approval:refused'];
      pushLog(step(), `refused${s.approver ? ` by ${s.approver}` : ''}: ${s.reason}`);
      // A refusal without an approver is the gate's final answer: nobody is asked any more.
      if (!s.approver) {
        step().approval = undefined;
        state.prompting.delete(s.stepId);
      }
      break;
    }
    case 'checklist:item': {
      const s = d as RunEvents['checklist:item'];
      pushLog(step(), `☑ ${s.text} (${s.confirmedBy})`);
      break;
    }
    default:
      return false;
  }
  return true;
}

/** A step the records name; one not announced by run:start (a resumed run) joins the current phase. */
function stepOf(state: TtyState, id: string): TtyStep {
  let s = state.steps.get(id);
  if (!s) {
    s = { id, status: 'pending', attempt: 0, logs: [] };
    state.steps.set(id, s);
    const current = [...state.phases].reverse().find((p) => p.startedAt !== undefined && p.durationMs === undefined);
    (current ?? state.phases.at(-1) ?? phaseOf(state, 'steps')).steps.push(id);
  }
  return s;
}

function phaseOf(state: TtyState, id: string): TtyPhase {
  let p = state.phases.find((x) => x.id === id);
  if (!p) state.phases.push((p = { id, steps: [] }));
  return p;
}

/** Keeps a printed line: control sequences out (they would break the frame), only the last few. */
export function addLogLine(state: TtyState, stepId: string, text: string): void {
  for (const line of String(text).split('\n')) {
    // A `\r` progress bar redraws its line: what is after the last `\r` is what a terminal shows.
    const clean = stripVTControlCharacters(line.slice(line.lastIndexOf('\r') + 1))
      .replace(/\t/g, '  ')
      .replace(/[\u0000-\u001f\u007f]/g, '');
    if (clean.trim()) pushLog(stepOf(state, stepId), clean);
  }
}

function pushLog(step: TtyStep, line: string): void {
  step.logs.push(line);
  if (step.logs.length > LOG_LINES) step.logs.splice(0, step.logs.length - LOG_LINES);
}

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
    lines = frameLines(state, now, c, level, width);
    if (size.rows === undefined || lines.length < size.rows) break;
  }
  return lines.join('\n');
}

function frameLines(state: TtyState, now: number, c: Colors, level: number, width: number): string[] {
  const lines: string[] = [];
  const run = state.run;
  if (run) {
    const elapsed = state.end?.durationMs ?? now - run.startedAt;
    const flags = `${run.dryRun ? ' (dry run)' : ''}${run.drill ? ' (DRILL)' : ''}`;
    const resumed = run.resumed !== undefined ? ` · resumed, ${run.resumed} steps done earlier` : '';
    lines.push(
      c.bold(`▶ ${run.runbook}${flags}`) +
        c.dim(` · run ${run.runId} · plan ${run.planHash.slice(0, 12)} · by ${run.by} · ${dur(elapsed)}${resumed}`),
    );
  }
  for (const phase of state.phases) {
    const steps = phase.steps.map((id) => state.steps.get(id)!).filter(Boolean);
    const ended = steps.length > 0 && steps.every((s) => isEnded(s.status));
    lines.push(phaseHeader(phase, steps, now, c));
    if (
      (level >= 1 && ended) ||
      (level >= 2 && phase.startedAt === undefined && steps.every((s) => s.status === 'pending' && !s.approval))
    )
      continue;
    const idWidth = Math.min(40, Math.max(...steps.map((s) => s.id.length)));
    let hidden = 0;
    for (const s of steps) {
      if (level >= 3 && (s.status === 'succeeded' || s.status === 'skipped')) hidden++;
      else lines.push(`  ${icon(s, now, c)} ${s.id.padEnd(idWidth)}  ${detail(s, now, c, width)}`);
    }
    if (hidden) lines.push(c.dim(`  ✔ ${hidden} more steps done`));
  }
  const talking = [...state.steps.values()].filter(
    (s) => s.logs.length && (!isEnded(s.status) || s.status === 'failed' || s.status === 'timed-out'),
  );
  if (talking.length) {
    lines.push(c.dim('── output'));
    for (const s of talking)
      for (const l of s.logs.slice(level >= 3 ? -1 : -LOG_LINES))
        lines.push(c.dim(`  ${s.id} │ `) + clip(l, width + 20));
  }
  if (state.rollback) {
    const r = state.rollback;
    lines.push(
      c.yellow(
        `↺ rolling back (${clip(r.reason, width)}): ${r.done}/${r.total} compensated${r.status ? ` · ${r.status}` : ''}`,
      ),
    );
  }
  for (const n of state.notes) lines.push(c.yellow(`! ${n}`));
  if (state.end) {
    const ok = state.end.status === 'succeeded';
    lines.push(
      (ok ? c.green : c.red)(
        c.bold(`${ok ? '✔' : '✖'} ${run?.runbook ?? 'run'} ${state.end.status} in ${dur(state.end.durationMs)}`),
      ) + (state.end.error ? ` · ${state.end.error}` : ''),
    );
  }
  return lines;
}

function phaseHeader(p: TtyPhase, steps: TtyStep[], now: number, c: Colors): string {
  const elapsed = p.durationMs ?? (p.startedAt !== undefined ? now - p.startedAt : undefined);
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

function icon(s: TtyStep, now: number, c: Colors): string {
  if (s.approval) return c.yellow(c.bold('◆'));
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

function detail(s: TtyStep, now: number, c: Colors, width: number): string {
  const attempts = s.attempt > 1 ? c.dim(` · ${s.attempt} attempts`) : '';
  if (s.approval) {
    const a = s.approval;
    return (
      c.bgYellow(c.black(' APPROVAL ')) +
      c.yellow(
        c.bold(` waiting ${dur(now - a.since)} · ${a.count}/${a.required} from ${clip(a.approvers.join(', '), width)}`),
      )
    );
  }
  switch (s.status) {
    case 'pending':
      return c.dim('pending');
    case 'running':
      return `${dur(now - (s.startedAt ?? now))}${s.attempt > 1 ? c.dim(` · attempt ${s.attempt}`) : ''}`;
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

function isEnded(status: TtyStepStatus): boolean {
  return status !== 'pending' && status !== 'running' && status !== 'retrying';
}

/** `0.4s`, `9.9s`, then whole seconds the way runbooks write durations (`12s`, `1m5s`). */
function dur(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  return formatDuration(Math.floor(ms / 1000) * 1000);
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The live view; `done` persists the last frame (run:end calls it; call it if the run throws). */
export interface TtyProgress {
  onRecord(record: AuditRecord): void;
  logger(stepId: string): StepLogger;
  /** A line kept in the frame (e.g. "SIGINT: stopping"): writing to the stream would tear it. */
  note(message: string): void;
  /** Leaves the current frame on screen and stops redrawing until `resume` (around a prompt). */
  suspend(): void;
  resume(): void;
  done(): void;
}

export interface TtyProgressOptions {
  readonly color?: boolean;
  readonly now?: () => number;
  /** Redraw period (default 100 ms): the frame never redraws more often. */
  readonly intervalMs?: number;
  /**
   * The run may prompt on this terminal (approvals, manual and checklist steps). A redraw would
   * erase a prompt, so the view suspends itself while the records say one may be open.
   */
  readonly interactive?: boolean;
}

/**
 * Live progress for terminals: the same records as plainProgress, drawn as one frame that is
 * redrawn in place (log-update) at most every `intervalMs`. The timer is unref'ed, so a run that
 * ends without run:end (a thrown error) does not hang the process; log lines come in already
 * masked by the run's logger and are only cleaned of control sequences here.
 */
export function ttyProgress(stream: NodeJS.WriteStream, options: TtyProgressOptions = {}): TtyProgress {
  const now = options.now ?? Date.now;
  const color = options.color ?? (typeof stream.hasColors === 'function' ? stream.hasColors() : pc.isColorSupported);
  const state = createTtyState();
  const log = createLogUpdate(stream);
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let finished = false;
  let suspended = 0;
  const draw = () => log(renderFrame(state, now(), color, { rows: stream.rows, columns: stream.columns }));
  /** Draws the frame once more and leaves it on screen; the next draw starts below it. */
  const persist = () => {
    clearInterval(timer);
    timer = undefined;
    draw();
    log.done();
  };
  const sync = () => {
    const hold = suspended > 0 || (options.interactive === true && state.prompting.size > 0);
    if (finished || !started) return;
    if (hold && timer) persist();
    else if (!hold && !timer) {
      timer = setInterval(draw, options.intervalMs ?? 100);
      timer.unref();
    }
  };
  const done = () => {
    if (finished) return;
    finished = true;
    if (started) persist();
  };
  const line = (stepId: string) => (text: string) => {
    if (!finished) addLogLine(state, stepId, text);
  };
  return {
    onRecord(record) {
      if (finished) return;
      started = true;
      applyRecord(state, record);
      if (record.type === 'run:end') done();
      else sync();
    },
    logger: (stepId) => ({ info: line(stepId), stdout: line(stepId), stderr: line(stepId) }),
    note: (message) =>
      void (finished ? stream.write(message + '\n') : state.notes.push(stripVTControlCharacters(message).trim())),
    suspend() {
      suspended++;
      sync();
    },
    resume() {
      suspended = Math.max(0, suspended - 1);
      sync();
    },
    done,
  };
}
