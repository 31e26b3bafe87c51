import { dryRunNotMeasured, rpoIsEstimate, type DrillRecord } from '../../ir/drill-record.js';
import { rpoOutput, rpoProbe } from '../audit/rpo-probe.js';
import type { AuditSummary, PhaseSummary } from '../audit/summary.js';
import { dur } from './format.js';

/**
 * Objectives against measurements: the RTO, the RPO where the runbook probes it, and each phase's
 * time budget. One place decides "met" and words it, so the report's summary, its Gantt chart
 * and the wiki history table never disagree.
 */

/** Objectives to use when the audit log does not carry them (older logs, runs without phases). */
export interface ReportBudgets {
  readonly rtoMs?: number;
  readonly rpoMs?: number;
  /** Phase id → time budget in milliseconds. */
  readonly phases?: Readonly<Record<string, number>>;
}

/** A comparison's result: `met` is undefined when there is nothing to compare. */
export interface Verdict {
  readonly met?: boolean;
  /** Icon and words: `✅ within (59m50s to spare)`, `❌ missed by 5m`… */
  readonly text: string;
}

/** An objective and a measurement, both optional: logs and records may lack either. */
export interface Measure {
  readonly objectiveMs?: number;
  readonly measuredMs?: number;
}

/** What the report says when it cannot tell the RPO: worded so the fix is obvious. */
export const rpoNotMeasured = 'not measured: the runbook has no RPO probe (a step output named rpoSeconds)';

function compare(objectiveMs: number, measuredMs: number): Verdict {
  return measuredMs <= objectiveMs
    ? { met: true, text: `✅ within (${dur(objectiveMs - measuredMs)} to spare)` }
    : { met: false, text: `❌ missed by ${dur(measuredMs - objectiveMs)}` };
}

/** RTO: a run that never reached its recovery point has missed it, whatever the clock says. */
export function rtoVerdict(m: Measure): Verdict {
  if (m.objectiveMs === undefined)
    return { text: m.measuredMs === undefined ? '— no objective, not measured' : '— no objective' };
  if (m.measuredMs === undefined) return { met: false, text: '❌ missed: the run never reached its recovery point' };
  return compare(m.objectiveMs, m.measuredMs);
}

/** Appended to an RPO verdict whose probe could not compare with the primary. */
export const rpoEstimateNote =
  'estimate: measured on the standby alone (primary unreachable or not asked), commits it never received are not counted';

/**
 * RPO: without a probe there is no measurement, which is neither met nor missed. A probe that
 * reports `rpoSource: standby` gave an estimate that can only understate; the verdict says so, so
 * nobody mistakes it for a measurement.
 */
export function rpoVerdict(m: Measure & { readonly probe?: string; readonly source?: string }): Verdict {
  if (m.measuredMs === undefined) {
    return { text: m.probe ? `not measured: the RPO probe ${m.probe} reported no ${rpoOutput}` : rpoNotMeasured };
  }
  const v: Verdict = m.objectiveMs === undefined ? { text: '— no objective' } : compare(m.objectiveMs, m.measuredMs);
  return rpoIsEstimate(m.source) ? { ...v, text: `⚠️ ${v.text} (${rpoEstimateNote})` } : v;
}

/** A phase's measured time against its budget. */
export interface PhaseVerdict {
  readonly id: string;
  readonly budgetMs?: number;
  readonly durationMs?: number;
  readonly verdict: Verdict;
}

/** Everything the report's summary states about objectives. */
export interface ObjectiveReport {
  readonly rto: Measure & { readonly verdict: Verdict };
  readonly rpo: Measure & { readonly probe?: string; readonly source?: string; readonly verdict: Verdict };
  readonly phases: readonly PhaseVerdict[];
  /** Names of the missed objectives, in the order the summary lists them. */
  readonly missed: readonly string[];
  /** A dry run: nothing is measured, nothing met or missed (`dryRunNotMeasured`). */
  readonly dryRun: boolean;
}

/**
 * Compares what the run measured with its objectives. The drill record wins where it has a value:
 * the drill runner knows the recovery step and the RPO probe; the audit log, then the budgets
 * given by the caller, fill the gaps.
 */
export function assessObjectives(s: AuditSummary, record?: DrillRecord, budgets: ReportBudgets = {}): ObjectiveReport {
  if (record ? record.mode === 'dry-run' : s.dryRun) return dryRunObjectives(s, record, budgets);
  const rto = {
    objectiveMs: record?.rto.objectiveMs ?? s.rto.objectiveMs ?? budgets.rtoMs,
    measuredMs: record?.rto.measuredMs ?? s.rto.measuredMs,
  };
  const inAudit = rpoProbe(s);
  const rpo = {
    objectiveMs: record?.rpo.objectiveMs ?? s.rpoObjectiveMs ?? budgets.rpoMs,
    measuredMs: record?.rpo.measuredMs ?? inAudit?.ms,
    probe: record?.rpo.probe ?? inAudit?.stepId,
    source: record ? record.rpo.source : inAudit?.source,
  };
  const phases = s.phases.map((p) => phaseVerdict(p, budgets.phases?.[p.id]));
  const rtoV = rtoVerdict(rto);
  const rpoV = rpoVerdict(rpo);
  const missed = [
    ...(rtoV.met === false ? ['RTO'] : []),
    ...(rpoV.met === false ? ['RPO'] : []),
    ...phases.filter((p) => p.verdict.met === false).map((p) => `phase budget of ${p.id}`),
  ];
  return { rto: { ...rto, verdict: rtoV }, rpo: { ...rpo, verdict: rpoV }, phases, missed, dryRun: false };
}

/**
 * A dry run plans each action instead of running it: its clock says how long planning took, not
 * how long recovery takes. Objectives and budgets are stated, nothing is measured against them.
 */
function dryRunObjectives(s: AuditSummary, record: DrillRecord | undefined, budgets: ReportBudgets): ObjectiveReport {
  const verdict: Verdict = { text: dryRunNotMeasured };
  return {
    rto: { objectiveMs: record?.rto.objectiveMs ?? s.rto.objectiveMs ?? budgets.rtoMs, verdict },
    rpo: { objectiveMs: record?.rpo.objectiveMs ?? s.rpoObjectiveMs ?? budgets.rpoMs, verdict },
    phases: s.phases.map((p) => ({
      id: p.id,
      budgetMs: p.budgetMs ?? budgets.phases?.[p.id],
      durationMs: p.durationMs,
      verdict: { text: 'not compared (dry run)' },
    })),
    missed: [],
    dryRun: true,
  };
}

function phaseVerdict(p: PhaseSummary, fallbackBudgetMs: number | undefined): PhaseVerdict {
  const budgetMs = p.budgetMs ?? fallbackBudgetMs;
  const base = { id: p.id, budgetMs, durationMs: p.durationMs };
  if (p.durationMs === undefined) return { ...base, verdict: { text: '⏳ unfinished' } };
  if (budgetMs === undefined) return { ...base, verdict: { text: '— no budget' } };
  return p.durationMs <= budgetMs
    ? { ...base, verdict: { met: true, text: `✅ within (${dur(budgetMs - p.durationMs)} to spare)` } }
    : { ...base, verdict: { met: false, text: `❌ over by ${dur(p.durationMs - budgetMs)}` } };
}
