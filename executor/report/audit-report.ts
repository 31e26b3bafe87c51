import type { Root, RootContent } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import {
  code,
  heading,
  htmlComment,
  inlineCode,
  paragraph,
  table,
  type Inline,
} from '../../common/markdown/mdast-builders.js';
import type { DrillRecord } from '../../ir/drill-record.js';
import { isRecordOf, type AuditRecord } from '../audit/record.js';
import { summarizeAudit, type AuditSummary } from '../audit/summary.js';
import { dryRunApprovalsSection, type ReportGate } from './dry-run-gates.js';
import { dur, share, stepStatusText, when } from './format.js';
import { renderGantt } from './gantt.js';
import { ganttChart } from './gantt-model.js';
import { lessonsSection, reportNotice } from './lessons-learned.js';
import { assessObjectives, type ObjectiveReport, type ReportBudgets } from './objectives.js';
import { approvalsSection, checklistsSection, failuresSection, rollbackSection } from './report-sections.js';
import { summarySection, titleAndFacts, type ReportContext } from './report-summary.js';

/** What a report can use besides the audit records. */
export interface AuditReportOptions {
  /** The drill's record: mode, injected faults and the measured RTO/RPO the drill runner computed. */
  readonly record?: DrillRecord;
  /** The runbook's title when the log's run:start has none (or a better one). */
  readonly runbookTitle?: string;
  /** Objectives and phase budgets for what the log does not carry. */
  readonly budgets?: ReportBudgets;
  /** The step whose end means "recovered", for logs whose run:end has no recoveredAtMs. */
  readonly recoveryStep?: string;
  /** The runbook's approval gates (`gatesOf(graph)`): a dry run's report names whom they would ask. */
  readonly gates?: readonly ReportGate[];
}

/** The parts of a report a caller may want without the Markdown (e.g. an exit code on a miss). */
export interface AuditReport {
  readonly summary: AuditSummary;
  readonly objectives: ObjectiveReport;
  readonly tree: Root;
}

/**
 * Builds a run's report page as an mdast tree: title and facts, the summary of objectives met or
 * missed, a Gantt chart of the steps against the phase budgets, approvals, failures and retries,
 * the rollback, the checklists, and the lessons-learned template.
 */
export function buildAuditReport(records: readonly AuditRecord[], options: AuditReportOptions = {}): AuditReport {
  const summary = summarizeAudit(records, { recoveryStep: options.recoveryStep });
  const objectives = assessObjectives(summary, options.record, options.budgets);
  const start = records.find(isRecordOf('run:start'))?.data;
  const ctx: ReportContext = {
    drill: summary.drill || options.record !== undefined,
    title: options.runbookTitle ?? summary.title ?? summary.runbook,
    record: options.record,
    faults: options.record?.faults ?? start?.faults,
    environment: options.record?.environment ?? start?.environment,
  };
  const children: RootContent[] = [
    htmlComment(reportNotice),
    ...titleAndFacts(summary, ctx),
    ...summarySection(summary, objectives, ctx),
    ...timelineSection(summary, records, objectives),
    ...(objectives.dryRun ? dryRunApprovalsSection(summary, options.gates) : approvalsSection(summary)),
    ...failuresSection(summary),
    ...rollbackSection(records),
    ...checklistsSection(summary),
    ...lessonsSection(),
  ];
  return { summary, objectives, tree: { type: 'root', children } };
}

const processor = unified().use(remarkGfm).use(remarkStringify, { bullet: '-', fences: true, rule: '-' });

/**
 * The report as Markdown for the wiki (`drills/reports/<run-id>.md`). Regenerate freely: combine
 * with `keepLessonsLearned` to carry over what people wrote below the lessons-learned heading.
 * Pass verified records (`runbook audit verify`): the report trusts them. Throws on an empty list,
 * as `summarizeAudit` does: there is no run to report.
 */
export function renderAuditReport(records: readonly AuditRecord[], options: AuditReportOptions = {}): string {
  return processor.stringify(buildAuditReport(records, options).tree);
}

/** `RTO 20m: 282ms used (0.024 %).`: the share is what the chart's scale cannot show. */
function objectiveLine(o: ObjectiveReport): RootContent[] {
  const { objectiveMs, measuredMs } = o.rto;
  if (objectiveMs === undefined) return [];
  if (o.dryRun) return [paragraph(`RTO ${dur(objectiveMs)}: ${o.rto.verdict.text}.`)];
  if (measuredMs === undefined) return [paragraph(`RTO ${dur(objectiveMs)}: not recovered.`)];
  return [paragraph(`RTO ${dur(objectiveMs)}: ${dur(measuredMs)} used (${share(measuredMs, objectiveMs)}).`)];
}

/** Wall time from the first attempt's start to the end: what retries cost is part of it. */
function span(st: AuditSummary['steps'][number]): number | undefined {
  return st.startMs !== undefined && st.endMs !== undefined ? st.endMs - st.startMs : st.durationMs;
}

/**
 * The Gantt chart, then the same steps as a table: the chart is for seeing, the table for
 * reading exact times (and for viewers that do not render Mermaid).
 */
function timelineSection(s: AuditSummary, records: readonly AuditRecord[], o: ObjectiveReport): RootContent[] {
  const rows = s.steps.map((st): Inline[] => [
    inlineCode(st.stepId),
    when(st.startedAt),
    when(st.endedAt),
    dur(span(st)),
    String(st.attempts),
    stepStatusText(st.status),
  ]);
  return [
    heading(2, 'Timeline'),
    paragraph(
      "Steps per phase with their durations, each phase's budget (a red milestone is an overrun), the rollback, and the recovery point against the RTO. ",
      "The axis counts time from the run's start and spans the run, so it reads the same in every time zone; budgets and the RTO that end after the run are given in the markers' labels. ",
      'Bars are at least 0.25 % of the axis wide, so instant steps stay visible. Clock times in the table are UTC.',
    ),
    ...objectiveLine(o),
    code('mermaid', renderGantt(ganttChart(s, records, o))),
    rows.length
      ? table(['Step', 'Started', 'Ended', 'Wall time', 'Attempts', 'Status'], rows)
      : paragraph('No step ran.'),
  ];
}
