import type { Emitter } from '../emitter.js';
import { approvalWorkflowEmitter } from './approval-workflow.js';
import { backupWorkflowEmitter } from './backup-workflow.js';
import { drillScheduleWorkflowEmitter } from './drill-schedule-workflow.js';
import { prWorkflowEmitter } from './pr-workflow.js';
import { resumeWorkflowEmitter } from './resume-workflow.js';
import { runRequestWorkflowEmitter } from './run-request-workflow.js';
import { runbookWorkflowEmitter } from './runbook-workflow.js';
import { wikiWorkflowEmitter } from './wiki-workflow.js';

/** The GitHub Actions workflows `runbook compile` writes under `.github/workflows/`. */
export const workflowEmitters: readonly Emitter[] = [
  runbookWorkflowEmitter,
  backupWorkflowEmitter,
  prWorkflowEmitter,
  runRequestWorkflowEmitter,
  resumeWorkflowEmitter, // a run whose runner was lost, from the audit database
  drillScheduleWorkflowEmitter, // drills: the Directory's drill calendar
  approvalWorkflowEmitter, // a parked run resumed by an /approve comment (issue 13)
  wikiWorkflowEmitter, // generated/docs published to the GitHub wiki (issue 14)
];
