/** Run and drill reports for the wiki, and the rows of its drill history table. */
export { buildAuditReport, renderAuditReport, type AuditReport, type AuditReportOptions } from './audit-report.js';
export { renderHistoryRows, historyHeader, type HistoryRow } from './history-rows.js';
export { keepLessonsLearned, lessonsHeading, reportNotice } from './lessons-learned.js';
export {
  assessObjectives,
  rpoNotMeasured,
  rpoVerdict,
  rtoVerdict,
  type ObjectiveReport,
  type ReportBudgets,
  type Verdict,
} from './objectives.js';
export { dryRunApprovalsSection, gatesOf, type ReportGate } from './dry-run-gates.js';
export { ganttAxis, tickStepFor, type GanttAxis } from './gantt-axis.js';
export { escapeGanttLabel, ganttId, renderGantt, type GanttChart, type GanttSection, type GanttTask } from './gantt.js';
