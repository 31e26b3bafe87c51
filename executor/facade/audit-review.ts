// The executor as `runbook audit list|export` and `audit verify --since/--until` see it: the two run
// sources (the audit database, a directory of downloaded artifacts), the review rows and the
// evidence pack renderers. Loaded only when one of them runs; it loads pg.
export { RunRefused } from '../core/errors.js';
export { auditVerifierFromEnv } from '../audit/audit-key.js';
export type { Period, RunSource } from '../audit/review/run-source.js';
export { dirRunSource } from '../audit/review/dir-run-source.js';
export { pgRunSource } from '../audit/review/pg-run-source.js';
export { reviewRuns, verifyPeriod, type ReviewFilter } from '../audit/review/review-runs.js';
export { reviewOutcomes, type ReviewOutcome, type ReviewRow } from '../audit/review/review-row.js';
export { evidencePack, renderCsv, renderJson } from '../audit/review/evidence.js';
export { renderAuditPage } from '../audit/review/audit-page.js';
