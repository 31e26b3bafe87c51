// The executor as `runbook runs` sees it: the runs of the audit database. Loaded only with that
// command; it loads pg.
export { RunRefused } from '../core/errors.js';
export { redactUrl } from '../audit/db-preflight.js';
export { listRuns, type RunListEntry, type RunListState } from '../audit/list-runs.js';
