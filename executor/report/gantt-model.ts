import type { RunEvents } from '../core/events.js';
import type { AuditRecord } from '../audit/record.js';
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
  const start = records.find((r) => r.type === 'run:start')?.data as RunEvents['run:start'] | undefined;
  const declared = start?.phases ?? [];
  const phaseStarts = new Map<string, number>();
  for (const r of records) {
    if (r.type === 'phase:start') {
      const id = (r.data as RunEvents['phase:start']).phaseId;
      if (!phaseStarts.has(id)) phaseStarts.set(id, Date.parse(r.ts));
    }
  }

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
  sections.push({ name: 'rollback', tasks: rollbackTasks(records) });
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
 * previous rollback record to its own.
 */
function rollbackTasks(records: readonly AuditRecord[]): GanttTask[] {
  const tasks: GanttTask[] = [];
  let cursor: number | undefined;
  for (const r of records) {
    const at = Date.parse(r.ts);
    if (r.type === 'rollback:start') cursor = at;
    else if (r.type === 'rollback:step' && cursor !== undefined) {
      const d = r.data as RunEvents['rollback:step'];
      tasks.push({
        id: `undo_${d.stepId}`,
        label: `undo ${d.stepId}`,
        startMs: cursor,
        durationMs: at - cursor,
        tags: d.status === 'succeeded' ? ['done'] : ['crit'],
      });
      cursor = at;
    } else if (r.type === 'rollback:end') {
      const d = r.data as RunEvents['rollback:end'];
      if (d.stoppedAt) {
        const why = d.status === 'stopped-at-irreversible' ? 'irreversible' : 'compensation failed';
        tasks.push({
          id: `stop_${d.stoppedAt}`,
          label: `stopped at ${d.stoppedAt} (${why})`,
          startMs: at,
          durationMs: 0,
          tags: ['crit', 'milestone'],
        });
      }
    }
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
