import { childGraphHashes, runModeOf, runPlanHash, type RunMode } from '../../ir/plan-hash.js';
import type { IrGraph } from '../../ir/types.js';
import { auditSignerFromEnv } from '../audit/audit-key.js';
import { retryMsFromEnv } from '../audit/db-journal-sink.js';
import { systemClock, type Clock } from '../core/clock.js';
import { RunRefused } from '../core/errors.js';
import { resolveInputs } from '../inputs/resolve-inputs.js';
import type { ResumeState } from './resume-state.js';
import type { RunOptions } from './run-options.js';
import { loadGraph } from './load-graph.js';
import { newRunId } from './run-id.js';
import { reachableGraphs } from './subgraph.js';
import { countSlots, unmaskInputs } from './unmask-inputs.js';

/** What a run knows before it takes its lock: the graph, its inputs and secrets, the plan hash. */
export interface PreparedRun {
  readonly graph: IrGraph;
  /** The nested runbooks it may call, by name. */
  readonly graphs: ReadonlyMap<string, IrGraph>;
  readonly secrets: Record<string, string>;
  /** Secret values of this graph, nested graphs and the runner's own credentials: all masked. */
  readonly maskedValues: readonly string[];
  readonly mode: RunMode;
  readonly inputs: Record<string, unknown>;
  readonly planHash: string;
  readonly clock: Clock;
  readonly runId: string;
  readonly signer: ReturnType<typeof auditSignerFromEnv>;
  /** How long an audit database outage may hold the run (db-journal-sink.ts). */
  readonly auditDbRetryMs: number;
}

/** Loads and checks everything a run needs before it touches the lock or the journal. */
export function prepareRun(o: RunOptions): PreparedRun {
  const graph = loadGraph(o.root, o.name);
  // Inputs are checked before secrets are read, so a bad input is reported first.
  const fresh = o.resume ? undefined : resolveInputs(graph, o.inputs);
  const graphs = reachableGraphs(o.root, graph);
  const secrets = readSecrets(graph, o.env, o.dryRun);
  // Secrets of nested runbooks are masked from the first record on.
  const nestedSecrets = [...graphs.values()].flatMap((g) => Object.values(readSecrets(g, o.env, true)));
  // The runner's own credentials reach cloud CLIs in shell steps; they are masked like secrets.
  const identity = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].map((k) => o.env[k]).filter((v): v is string => !!v);
  const maskedValues = [...Object.values(secrets), ...nestedSecrets, ...identity];
  const mode = runModeOf({ dryRun: o.dryRun, drill: o.drill === true });
  const hashOf = (inputs: Record<string, unknown>) =>
    runPlanHash(graph, inputs, { mode, children: childGraphHashes(graph, (name) => graphs.get(name)) });
  const inputs = o.resume ? resumedInputs(o.resume, maskedValues, hashOf) : fresh!;
  const planHash = hashOf(inputs);
  const clock = o.clock ?? systemClock;
  const runId = o.resume?.runId ?? o.runId ?? newRunId(graph.name);
  // The audit signing key is checked before the lock is taken (a bad key refuses the run) and masked everywhere.
  const signer = auditSignerFromEnv(o.env);
  // Checked before the lock too: a bad value refuses the run.
  const auditDbRetryMs = o.auditDbRetryMs ?? retryMsFromEnv(o.env);
  return { graph, graphs, secrets, maskedValues, mode, inputs, planHash, clock, runId, signer, auditDbRetryMs };
}

/**
 * The inputs of the run being resumed, checked against its plan hash. The journal holds them with
 * secret values masked: those are put back from the secrets set now (see unmask-inputs.ts).
 */
function resumedInputs(
  resume: ResumeState,
  secretValues: readonly string[],
  hashOf: (inputs: Record<string, unknown>) => string,
): Record<string, unknown> {
  if (hashOf(resume.inputs) === resume.planHash) return resume.inputs;
  const restored = unmaskInputs(resume.inputs, secretValues, (inputs) => hashOf(inputs) === resume.planHash);
  if (restored) return restored;
  if (countSlots(resume.inputs) > 0) {
    throw new RunRefused(
      `run ${resume.runId} has inputs holding secret values (masked in its journal), and the secrets set now do not restore them to plan ${resume.planHash.slice(0, 12)}`,
      'resume with the same secret values as the run that started it (a rotated secret cannot resume an old run), or start a new run',
    );
  }
  // Also what refuses a resume on another machine whose checkout differs (resume from the database).
  const from = resume.commit ? ` from commit ${resume.commit}` : '';
  throw new RunRefused(
    `run ${resume.runId} was started with plan ${resume.planHash}${from}; this checkout's runbook compiles to ${hashOf(resume.inputs)}`,
    `a changed runbook cannot resume an old run: resume it from a checkout of the run's commit${resume.commit ? ` (git checkout ${resume.commit})` : ''}, or start a new run`,
  );
}

/** Secret values from the environment; a real run refuses to start without all of them. */
export function readSecrets(graph: IrGraph, env: NodeJS.ProcessEnv, dryRun: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of graph.secrets) {
    const v = env[name];
    if (v === undefined || v === '') missing.push(name);
    else out[name] = v;
  }
  if (missing.length && !dryRun) {
    throw new RunRefused(
      `missing secrets: ${missing.join(', ')}`,
      'set them as environment variables (in Actions: repository or environment secrets passed through env:)',
    );
  }
  return out;
}
