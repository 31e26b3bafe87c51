// The executor as `runbook plan` sees it: the compiled graph and its sub-runbooks, the inputs, and
// the plan built against the action catalogue. Loaded only when `plan` runs.
export { actions } from '../actions/index.js';
export { shortSecretNames, shortSecretWarning } from '../core/short-secrets.js';
export { parseInputArgs } from '../inputs/resolve-inputs.js';
export { buildPlan } from '../plan/build-plan.js';
export { renderPlan } from '../plan/render-plan.js';
export { loadGraph } from '../run/load-graph.js';
export { reachableGraphs } from '../run/subgraph.js';
