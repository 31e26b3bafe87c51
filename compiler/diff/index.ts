/**
 * The plan diff of a pull request and its sticky comment: `diffCompile(base, head)` then
 * `renderPlanComment(diff)`. `runbook pr-comment` compiles the base commit and the head, and posts
 * (or edits) the comment found by `planCommentMarker`.
 */
export { diffCompile, type ChangeKind, type Gate, type PlanDiff, type RunbookDiff } from './plan-diff.js';
export type { RtoFigures, RtoRegression, RtoRow } from './diff-rto.js';
export type { RunRequestChange, RunRequestPlan } from './diff-run-requests.js';
export type { StepChange, StepRef, StepsDiff } from './diff-steps.js';
export {
  maxCommentLength,
  planCommentMarker,
  renderPlanComment,
  type PlanCommentOptions,
} from './render-plan-comment.js';
export { runRequestMarker } from './render-run-requests.js';
