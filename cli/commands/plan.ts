import { actions } from '../../executor/actions/index.js';
import { parseInputArgs } from '../../executor/inputs/resolve-inputs.js';
import { buildPlan } from '../../executor/plan/build-plan.js';
import { renderPlan } from '../../executor/plan/render-plan.js';
import { loadGraph } from '../../executor/run/load-graph.js';
import { ExitCode } from '../exit-codes.js';

/** `runbook plan NAME [--input k=v]… [--json]`: what a run would do, and the plan hash to approve. */
export function planCommand(name: string, o: { root: string; input: string[]; json?: boolean }): number {
  const graph = loadGraph(o.root, name);
  const plan = buildPlan(graph, parseInputArgs(o.input), process.env, actions);
  process.stdout.write(o.json ? JSON.stringify(plan, null, 2) + '\n' : renderPlan(plan));
  return ExitCode.Ok;
}
