import type { StepSummary } from './summary-types.js';

/** The icon of a step's status, the same in the job summary and the drill report. */
export const stepIcons: Record<StepSummary['status'], string> = {
  succeeded: '✅',
  failed: '❌',
  'timed-out': '⏱️',
  skipped: '⏭️',
  cancelled: '⛔',
  running: '⏳',
};
