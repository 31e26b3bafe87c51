import {
  actions,
  parseInputArgs,
  buildPlan,
  renderPlan,
  loadGraph,
  reachableGraphs,
  shortSecretNames,
  shortSecretWarning,
} from '../../executor/facade/plan.js';
import { runModeOf } from '../../ir/plan-hash.js';
import { ExitCode } from '../exit-codes.js';
import { auditDbPlanWarnings } from './audit-db-warnings.js';
import { localLockLine, localLockVerdict } from '../local-lock.js';

/**
 * `runbook plan NAME [--input k=v]… [--drill | --dry-run] [--json]`: what a run would do, and the
 * plan hash to approve, which differs per mode (approving a drill never approves the live run).
 */
export async function planCommand(
  name: string,
  o: { root: string; input: string[]; json?: boolean; drill?: boolean; dryRun?: boolean; auditDb?: string },
): Promise<number> {
  const graph = loadGraph(o.root, name);
  const graphs = reachableGraphs(o.root, graph);
  // Only the actions this graph's steps use: the others' modules and clients stay unloaded.
  const used = await actions.load(graph.nodes.map((n) => n.uses));
  const plan = buildPlan(graph, parseInputArgs(o.input), process.env, used, {
    mode: runModeOf({ dryRun: o.dryRun === true, drill: o.drill === true }),
    lookup: (child) => graphs.get(child),
  });
  for (const secret of shortSecretNames(graphs.values(), process.env))
    process.stderr.write(shortSecretWarning(secret) + '\n');
  process.stdout.write(o.json ? JSON.stringify(plan, null, 2) + '\n' : renderPlan(plan));
  // On stderr, so --json stays parseable.
  for (const w of await auditDbPlanWarnings(
    o.auditDb ?? process.env.RUNBOOK_AUDIT_DB,
    ['true', '1', 'yes'].includes((process.env.CI ?? '').toLowerCase()),
  ))
    process.stderr.write(`warning: ${w}\n`);
  const auditDb = o.auditDb ?? process.env.RUNBOOK_AUDIT_DB;
  const lockLine = localLockLine(
    localLockVerdict({ ...(auditDb ? { auditDb } : {}), dryRun: o.dryRun === true, env: process.env }),
  );
  if (lockLine) process.stderr.write(`warning: ${lockLine}\n`);
  // Parked gates (issue 13) need the database: it holds the run while nobody holds a runner.
  if (!auditDb && graph.nodes.some((n) => n.approval))
    process.stderr.write(
      'note: without an audit database (--audit-db / RUNBOOK_AUDIT_DB) approval gates never park: on GitHub they wait in the job, bounded by its time limit\n',
    );
  return ExitCode.Ok;
}
