import type { AuditRecord } from '../audit/record.js';
import { foldRun, type RollbackState } from '../run-state/fold-run.js';
import type { AuditSummary, StepSummary } from '../audit/summary.js';
import { dur, share, when } from './format.js';
import type { GanttSection, GanttTag, GanttTask, GanttChart } from './gantt.js';
import type { ObjectiveReport, PhaseVerdict } from './objectives.js';

/**
 * The run as a Gantt chart: one section per phase with a bar per step (its duration in its label)
 * and a milestone for the phase's budget, then the rollback, then the recovery point against the
 * RTO. Every time is an offset from the run's start, and the axis spans the run, not the
 * objectives: a budget or an RTO that ends after the run gets no marker out there (Mermaid would
 * stretch the axis to it and every bar would shrink to nothing); its number and the share used
 * go in the label of a marker inside the run instead.
 */
export function ganttChart(s: AuditSummary, records: readonly AuditRecord[], objectives: ObjectiveReport): GanttChart {
  const t0 = Date.parse(s.startedAt);
  const spanMs = Math.max(0, Date.parse(records[records.length - 1].ts) - t0);
  const run = foldRun(records);
  const declared = run.start?.phases ?? [];
  const sections: GanttSection[] = objectives.phases.map((p) => {
    const own = s.steps.filter((st) => declared.find((d) => d.id === p.id)?.steps.includes(st.stepId));
    const tasks = own.map((st) => stepTask(st, spanMs));
    const started = run.phases.find((ph) => ph.id === p.id)?.started;
    const phaseStart = started ? started.ms - t0 : tasks.length ? Math.min(...tasks.map((t) => t.startMs)) : undefined;
    const marker = phaseStart === undefined ? undefined : budgetMarker(p, phaseStart, spanMs, objectives.dryRun);
    return { name: p.id, tasks: marker ? [...tasks, marker] : tasks };
  });
  const inPhase = new Set(declared.flatMap((d) => d.steps));
  const loose = s.steps.filter((st) => !inPhase.has(st.stepId)).map((st) => stepTask(st, spanMs));
  sections.push({ name: sections.length ? 'other steps' : 'steps', tasks: loose });
  sections.push({ name: 'rollback', tasks: run.rollbacks.flatMap((r) => rollbackTasks(r, t0)) });
  sections.push({ name: 'objectives', tasks: objectiveTasks(objectives, spanMs) });
  // The axis starts at the run's start (Mermaid's starts at the earliest task), and this marker
  // ties its zero to a clock time, stated in UTC like every time in the report.
  const start: GanttTask = {
    id: 'run_start',
    label: `started ${when(s.startedAt)}`,
    startMs: 0,
    durationMs: 0,
    tags: ['milestone'],
  };
  return {
    title: `${s.title ?? s.runbook} (${s.runId})`,
    spanMs,
    sections: [{ name: 'run', tasks: [start] }, ...sections],
  };
}

const tagsByStatus: Record<StepSummary['status'], GanttTag[]> = {
  succeeded: ['done'],
  failed: ['crit'],
  'timed-out': ['crit'],
  cancelled: ['crit'],
  running: ['active'],
  skipped: ['milestone'],
};

/** A step from its first attempt's start to its end; a step still running ends with the log. */
function stepTask(st: StepSummary, spanMs: number): GanttTask {
  const startMs = st.startMs ?? 0;
  const durationMs = st.status === 'skipped' ? 0 : (st.endMs ?? spanMs) - startMs;
  const notes = [
    st.status === 'skipped' ? '' : dur(durationMs),
    st.attempts > 1 ? `${st.attempts} attempts` : '',
    st.status === 'succeeded' ? '' : st.status,
  ].filter(Boolean);
  return {
    id: `step_${st.stepId}`,
    label: `${st.stepId} (${notes.join(', ')})`,
    startMs,
    durationMs,
    tags: tagsByStatus[st.status],
  };
}

/**
 * Where the phase's budget ran out, when that is inside the run; else a marker where the phase
 * ended, saying how much of the budget it used. Red when the phase overran its budget.
 */
function budgetMarker(p: PhaseVerdict, phaseStart: number, spanMs: number, dryRun: boolean): GanttTask | undefined {
  if (p.budgetMs === undefined) return undefined;
  if (dryRun) {
    if (p.durationMs === undefined) return undefined;
    const label = `${p.id} ended, budget ${dur(p.budgetMs)} not compared (dry run)`;
    return { id: `budget_${p.id}`, label, startMs: phaseStart + p.durationMs, durationMs: 0, tags: ['milestone'] };
  }
  const over = p.verdict.met === false;
  const tags: GanttTag[] = over ? ['crit', 'milestone'] : ['milestone'];
  const id = `budget_${p.id}`;
  const budget = `budget ${dur(p.budgetMs)}`;
  const overBy = over ? ` (over by ${dur((p.durationMs ?? 0) - p.budgetMs)})` : '';
  if (phaseStart + p.budgetMs <= spanMs)
    return { id, label: `${p.id} ${budget}${overBy}`, startMs: phaseStart + p.budgetMs, durationMs: 0, tags };
  if (p.durationMs === undefined) return undefined;
  const used = `${p.id} took ${dur(p.durationMs)}, ${share(p.durationMs, p.budgetMs)} of its ${budget}`;
  return { id, label: used, startMs: phaseStart + p.durationMs, durationMs: 0, tags };
}

/**
 * Compensations run one after another and are audited when they end, so each bar runs from the
 * previous rollback record to its own; a rollback that stopped early ends with a milestone.
 */
function rollbackTasks(rollback: RollbackState, t0: number): GanttTask[] {
  let cursor = rollback.started.ms - t0;
  const tasks: GanttTask[] = rollback.steps.map((d) => {
    const end = d.at.ms - t0;
    const task: GanttTask = {
      id: `undo_${d.stepId}`,
      label: `undo ${d.stepId} (${dur(end - cursor)})`,
      startMs: cursor,
      durationMs: end - cursor,
      tags: d.status === 'succeeded' ? ['done'] : ['crit'],
    };
    cursor = end;
    return task;
  });
  const end = rollback.end;
  if (end?.stoppedAt) {
    const why = end.status === 'stopped-at-irreversible' ? 'irreversible' : 'compensation failed';
    const at = end.at.ms - t0;
    tasks.push({
      id: `stop_${end.stoppedAt}`,
      label: `stopped at ${end.stoppedAt} (${why})`,
      startMs: at,
      durationMs: 0,
      tags: ['crit', 'milestone'],
    });
  }
  return tasks;
}

/**
 * The recovery point (always inside the run), and the RTO as a marker where it falls inside the
 * run; beyond it, the recovery marker's label carries the objective and the share used, or a
 * marker at the run's end says it was never reached. A dry run measures nothing.
 */
function objectiveTasks(o: ObjectiveReport, spanMs: number): GanttTask[] {
  const { objectiveMs, measuredMs } = o.rto;
  const marker = (id: string, label: string, startMs: number, crit = false): GanttTask => ({
    id,
    label,
    startMs,
    durationMs: 0,
    tags: crit ? ['crit', 'milestone'] : ['milestone'],
  });
  if (o.dryRun) return [marker('run_end', `run ended, RTO ${dur(objectiveMs)} not measured (dry run)`, spanMs)];
  const objective = objectiveMs === undefined ? undefined : `RTO ${dur(objectiveMs)}`;
  const inside = objectiveMs !== undefined && objectiveMs <= spanMs;
  const tasks: GanttTask[] = [];
  if (measuredMs !== undefined) {
    const used = objective && !inside ? `, ${share(measuredMs, objectiveMs!)} of the ${objective}` : '';
    tasks.push(marker('recovered', `recovered after ${dur(measuredMs)}${used}`, measuredMs));
  } else if (objective && !inside)
    tasks.push(marker('not_recovered', `not recovered by the run's end (${objective})`, spanMs, true));
  if (objective && inside)
    tasks.push(marker('rto_objective', `${objective} objective`, objectiveMs!, o.rto.verdict.met === false));
  return tasks;
}
