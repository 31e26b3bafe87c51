import type { AuditRecord } from '../audit/record.js';
import { foldRun, type RollbackState } from '../run-state/fold-run.js';
import type { AuditSummary, StepSummary } from '../audit/summary.js';
import { dur } from './format.js';
import type { GanttSection, GanttTag, GanttTask, GanttChart } from './gantt.js';
import type { ObjectiveReport } from './objectives.js';

/**
 * The run as a Gantt chart: one section per phase with a bar per step and a milestone where the
 * phase's budget ran out (red when the phase overran it), then the rollback, then the recovery
 * point against the RTO. Reviewers see at a glance which phase ate the time.
 */
export function ganttChart(s: AuditSummary, records: readonly AuditRecord[], objectives: ObjectiveReport): GanttChart {
  const t0 = Date.parse(s.startedAt);
  const lastMs = Date.parse(records[records.length - 1].ts);
  const run = foldRun(records);
  const declared = run.start?.phases ?? [];
  const phaseStarts = new Map<string, number>();
  for (const p of run.phases) if (p.started) phaseStarts.set(p.id, p.started.ms);

  const sections: GanttSection[] = objectives.phases.map((p) => {
    const own = s.steps.filter((st) => declared.find((d) => d.id === p.id)?.steps.includes(st.stepId));
    const tasks = own.map((st) => stepTask(st, t0, lastMs));
    const phaseStart = phaseStarts.get(p.id) ?? (tasks.length ? Math.min(...tasks.map((t) => t.startMs)) : undefined);
    if (phaseStart !== undefined && p.budgetMs !== undefined) {
      const over = p.verdict.met === false;
      tasks.push({
        id: `budget_${p.id}`,
        startMs: phaseStart + p.budgetMs,
        durationMs: 0,
        tags: over ? ['crit', 'milestone'] : ['milestone'],
        label: `${p.id} budget ${dur(p.budgetMs)}${over ? ` (over by ${dur((p.durationMs ?? 0) - p.budgetMs)})` : ''}`,
      });
    }
    return { name: p.id, tasks };
  });
  const inPhase = new Set(declared.flatMap((d) => d.steps));
  const loose = s.steps.filter((st) => !inPhase.has(st.stepId)).map((st) => stepTask(st, t0, lastMs));
  sections.push({ name: sections.length ? 'other steps' : 'steps', tasks: loose });
  sections.push({ name: 'rollback', tasks: run.rollbacks.flatMap(rollbackTasks) });
  sections.push({ name: 'objectives', tasks: objectiveTasks(t0, objectives) });
  return { title: `${s.title ?? s.runbook} (${s.runId})`, sections };
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
function stepTask(st: StepSummary, t0: number, lastMs: number): GanttTask {
  const startMs = t0 + (st.startMs ?? 0);
  const endMs = st.endMs !== undefined ? t0 + st.endMs : lastMs;
  const notes = [st.attempts > 1 ? `${st.attempts} attempts` : '', st.status === 'succeeded' ? '' : st.status].filter(
    Boolean,
  );
  return {
    id: `step_${st.stepId}`,
    label: notes.length ? `${st.stepId} (${notes.join(', ')})` : st.stepId,
    startMs,
    durationMs: st.status === 'skipped' ? 0 : endMs - startMs,
    tags: tagsByStatus[st.status],
  };
}

/**
 * Compensations run one after another and are audited when they end, so each bar runs from the
 * previous rollback record to its own; a rollback that stopped early ends with a milestone.
 */
function rollbackTasks(rollback: RollbackState): GanttTask[] {
  let cursor = rollback.started.ms;
  const tasks: GanttTask[] = rollback.steps.map((d) => {
    const task: GanttTask = {
      id: `undo_${d.stepId}`,
      label: `undo ${d.stepId}`,
      startMs: cursor,
      durationMs: d.at.ms - cursor,
      tags: d.status === 'succeeded' ? ['done'] : ['crit'],
    };
    cursor = d.at.ms;
    return task;
  });
  const end = rollback.end;
  if (end?.stoppedAt) {
    const why = end.status === 'stopped-at-irreversible' ? 'irreversible' : 'compensation failed';
    tasks.push({
      id: `stop_${end.stoppedAt}`,
      label: `stopped at ${end.stoppedAt} (${why})`,
      startMs: end.at.ms,
      durationMs: 0,
      tags: ['crit', 'milestone'],
    });
  }
  return tasks;
}

function objectiveTasks(t0: number, o: ObjectiveReport): GanttTask[] {
  const tasks: GanttTask[] = [];
  if (o.rto.measuredMs !== undefined) {
    tasks.push({
      id: 'recovered',
      label: `recovered after ${dur(o.rto.measuredMs)}`,
      startMs: t0 + o.rto.measuredMs,
      durationMs: 0,
      tags: ['milestone'],
    });
  }
  if (o.rto.objectiveMs !== undefined) {
    tasks.push({
      id: 'rto_objective',
      label: `RTO objective ${dur(o.rto.objectiveMs)}`,
      startMs: t0 + o.rto.objectiveMs,
      durationMs: 0,
      tags: o.rto.verdict.met === false ? ['crit', 'milestone'] : ['milestone'],
    });
  }
  return tasks;
}
