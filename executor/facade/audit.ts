// The executor as `runbook audit verify|show|report` sees it: the journal readers (file and
// database), chain verification, the published anchors and the report renderers. Loaded only when
// an audit command runs; it loads pg and Octokit, which these commands may need.
export { RunRefused } from '../core/errors.js';
export { auditVerifierFromEnv, type AuditSigVerifier } from '../audit/audit-key.js';
export type { PublishedAnchor } from '../audit/check-anchors.js';
export { readAuditFile } from '../audit/file-sink.js';
export { readDbAnchors } from '../audit/pg-anchors.js';
export { readAuditRows } from '../audit/pg-sink.js';
export { isRecordOf, type AuditRecord } from '../audit/record.js';
export { summarizeAudit } from '../audit/summary.js';
export { renderAuditSummary } from '../audit/summary-render.js';
export { verifyAudit, verifyAuditDb, type AuditVerification } from '../audit/verify.js';
export { githubClient } from '../github/client.js';
export { readGithubAnchors } from '../github/read-anchors.js';
export { gatesOf, keepLessonsLearned, renderAuditReport, type ReportGate } from '../report/index.js';
export { loadGraph } from '../run/load-graph.js';
