// The executor as `runbook gate-event` sees it: the parked runs in the journal of record and the
// gate command syntax. The resume itself goes through the run facade (index.ts).
export { RunRefused } from '../core/errors.js';
export { parseGateCommand } from '../github/comment-command.js';
export { findParkedRuns, type ParkedRun } from '../lock/parked-runs.js';
