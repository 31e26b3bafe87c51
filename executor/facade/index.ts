// The executor as the CLI's run-family commands (run, drill, resume, run-request) see it: one
// module instead of a dozen, so a command says what it does and the executor's wiring (action
// catalogue, journal read-back, GitHub mode, drill files) stays here. The CLI imports this module
// lazily, only when such a command runs. The other commands each have their own facade module
// beside this one (audit.ts, audit-db.ts, plan.ts, github.ts, approvals.ts, demo.ts, errors.ts), so
// a command loads only the clients it needs; the CLI reaches the executor through no other path
// (`cli-through-facade` in .dependency-cruiser.cjs).
export { RunRefused } from '../core/errors.js';
export type { RunStatus } from '../core/events.js';
export { parseInputArgs } from '../inputs/resolve-inputs.js';
export { loadGraph } from '../run/load-graph.js';
export { newRunId } from '../run/run-id.js';
export { parkedSummary } from '../run/park-run.js';
export { reachableGraphs } from '../run/subgraph.js';
export { prepareResume, type Decision } from '../run/resume.js';
export type { ResumeState } from '../run/resume-state.js';
export type { RunOptions, RunOutcome } from '../run/run-runbook.js';
export type { AuditRecord } from '../audit/record.js';
export { drillFaults, writeDrillOutcome } from './drill.js';
export { githubRunOptions } from './github-run.js';
export { jobSummaryMarkdown, runLive, runSummaryText, type LiveRunRequest, type LiveRunResult } from './live-run.js';
export { inputsFromEnv, readApprovals, runProgress, shortSecretWarnings, type RunProgress } from './run-setup.js';
export { auditRunRequest, verifyRunRequest } from './run-request.js';
