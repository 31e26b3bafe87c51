import { childGraphHashes, runPlanHash, type RunMode } from '../../ir/plan-hash.js';
import type { IrGraph, IrNode } from '../../ir/types.js';
import type { ActionDefinition, ActionPlan } from '../actions/action.js';
import { SecretMasker } from '../core/secrets.js';
import { resolveInputs } from '../inputs/resolve-inputs.js';
import { renderText, renderValue } from '../render/expressions.js';
import { pendingOutputs } from '../render/placeholders.js';

export interface PlannedStep {
  readonly id: string;
  readonly title: string;
  readonly uses: string;
  readonly wave: number;
  readonly needs: string[];
  readonly condition?: string;
  readonly gate?: { approvers: string[]; required: number; selfApproval: boolean; message: string };
  readonly irreversible: boolean;
  readonly idempotent: boolean;
  readonly timeoutMs?: number;
  readonly attempts: number;
  readonly estimateMs?: number;
  readonly plan: ActionPlan | { error: string };
}

export interface Plan {
  readonly runbook: string;
  readonly title: string;
  readonly planHash: string;
  /** The mode the plan hash is for. */
  readonly mode: RunMode;
  readonly graphHash: string;
  readonly inputs: Record<string, unknown>;
  readonly secrets: { name: string; present: boolean }[];
  readonly phases: {
    id: string;
    title: string;
    budgetMs?: number;
    finally?: true;
    expectedMs: number;
    worstCaseMs: number;
    status: string;
    steps: PlannedStep[];
  }[];
  readonly rto: { rtoMs?: number; expectedMs: number; worstCaseMs: number; status: string; criticalPath: string[] };
}

/** Resolves inputs and describes exactly what a run would do, without doing any of it. */
export function buildPlan(
  graph: IrGraph,
  rawInputs: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  actions: ReadonlyMap<string, ActionDefinition>,
  o: { mode: RunMode; lookup: (runbook: string) => IrGraph | undefined },
): Plan {
  const inputs = resolveInputs(graph, rawInputs);
  const masker = new SecretMasker(graph.secrets.map((n) => env[n]).filter((v): v is string => !!v));
  const planHash = runPlanHash(graph, inputs, { mode: o.mode, children: childGraphHashes(graph, o.lookup) });
  const context = placeholderContext(graph, inputs, env, planHash);
  const waves = computeWaves(graph);
  const rtoByPhase = new Map(graph.rto.phases.map((p) => [p.id, p]));
  return {
    runbook: graph.name,
    title: graph.title,
    planHash,
    mode: o.mode,
    graphHash: graph.planHash,
    inputs: masker.maskDeep(inputs),
    secrets: graph.secrets.map((name) => ({ name, present: !!env[name] })),
    phases: graph.phases.map((phase) => {
      const r = rtoByPhase.get(phase.id);
      return {
        id: phase.id,
        title: phase.title,
        ...(phase.budgetMs !== undefined ? { budgetMs: phase.budgetMs } : {}),
        ...(phase.finally ? { finally: true as const } : {}),
        expectedMs: r?.expectedMs ?? 0,
        worstCaseMs: r?.worstCaseMs ?? 0,
        status: r?.status ?? 'ok',
        steps: graph.nodes
          .filter((n) => n.phase === phase.id)
          .map((n) => planStep(n, waves.get(n.id) ?? 0, context, masker, actions, graph)),
      };
    }),
    rto: {
      ...(graph.rto.rtoMs !== undefined ? { rtoMs: graph.rto.rtoMs } : {}),
      expectedMs: graph.rto.expectedMs,
      worstCaseMs: graph.rto.worstCaseMs,
      status: graph.rto.status,
      criticalPath: graph.rto.criticalPath,
    },
  };
}

/**
 * The context templates render in at plan time: the inputs, and placeholders for what only a run
 * knows (secret values, step outputs, the run's id and status).
 */
function placeholderContext(
  graph: IrGraph,
  inputs: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  planHash: string,
): Record<string, unknown> {
  const secretValues = Object.fromEntries(graph.secrets.map((n) => [n, env[n] ?? `<secret ${n}>`]));
  const steps: Record<string, { status: string; outputs: Record<string, unknown> }> = {};
  for (const n of graph.nodes) {
    const outputs = pendingOutputs(n.id, n.uses, Object.keys(n.outputs));
    steps[n.id] = { status: '<pending>', outputs };
  }
  const run = {
    id: '<run-id>',
    runbook: graph.name,
    initiator: '<initiator>',
    startedAt: '<start>',
    dryRun: true,
    drill: false,
    url: '',
    planHash,
    status: '<pending>',
    failed: [],
  };
  return {
    inputs,
    secrets: secretValues,
    steps,
    run,
    drill: false,
    runbook: { name: graph.name, title: graph.title },
    directory: { roles: graph.resources.roles },
  };
}

function planStep(
  n: IrNode,
  wave: number,
  context: Record<string, unknown>,
  masker: SecretMasker,
  actions: ReadonlyMap<string, ActionDefinition>,
  graph: IrGraph,
): PlannedStep {
  let plan: PlannedStep['plan'];
  const action = actions.get(n.uses);
  try {
    if (!action) throw new Error(`unknown action ${n.uses}`);
    const params = renderValue(n.with, context) as Record<string, unknown>;
    const env = Object.fromEntries(Object.entries(n.env).map(([k, v]) => [k, String(renderValue(v, context))]));
    plan = masker.maskDeep(
      action.plan(params, {
        run: context.run as never,
        step: { id: n.id, title: n.title, attempt: 1 },
        env,
        secrets: masker,
        graph,
      }),
    );
  } catch (e) {
    plan = { error: masker.mask((e as Error).message) };
  }
  const a = n.approval;
  return {
    id: n.id,
    title: n.title,
    uses: n.uses,
    wave,
    needs: n.needs,
    ...(n.if ? { condition: n.if } : {}),
    ...(a
      ? {
          gate: {
            approvers: a.approvers,
            required: a.required,
            selfApproval: a.selfApproval,
            message: masker.mask(renderText(a.message ?? '', context)),
          },
        }
      : {}),
    irreversible: n.irreversible,
    idempotent: n.idempotent,
    ...(n.timeoutMs !== undefined ? { timeoutMs: n.timeoutMs } : {}),
    attempts: n.retry?.attempts ?? 1,
    ...(n.estimateMs !== undefined ? { estimateMs: n.estimateMs } : {}),
    plan,
  };
}

/** Wave k of a phase: steps that can start once waves < k ended (longest chain of in-phase needs). */
function computeWaves(graph: IrGraph): Map<string, number> {
  const phaseOf = new Map(graph.nodes.map((n) => [n.id, n.phase]));
  const wave = new Map<string, number>();
  for (const n of graph.nodes) {
    const inPhase = n.needs.filter((d) => phaseOf.get(d) === n.phase);
    wave.set(n.id, inPhase.length ? Math.max(...inPhase.map((d) => (wave.get(d) ?? 0) + 1)) : 0);
  }
  return wave;
}
