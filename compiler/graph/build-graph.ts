import { graphHash } from '../../ir/plan-hash.js';
import { parseDuration } from '../../ir/duration.js';
import type { IrApproval, IrBody, IrGraph, IrInput, IrNode, IrPhase, IrRetry, IrUpdate } from '../../ir/types.js';
import type { ActionInfo } from '../actions/catalog.js';
import { joinPointer } from '../load/source-map.js';
import type { ApprovalSpec, InputSpec, RetrySpec, RunbookSpec, StepBodySpec, StepSpec } from '../model/specs.js';
import type { RuleContext, RunbookUnit } from '../rules/rule.js';
import { positionAt } from '../source/source-file.js';
import { finallyPhase, type StepRef } from './dependencies.js';
import { collectResources } from './resources.js';
import { analyseRto } from './rto.js';
import { isGate } from '../../common/actions-catalog/index.js';

const ms = (d: string | undefined): number | undefined => (d === undefined ? undefined : parseDuration(d));

const built = new WeakMap<RunbookUnit, { readonly ctx: object; readonly graph: IrGraph }>();

/**
 * `buildGraph`, once per unit of a compile: the rto-budget rule needs the graph for its analysis
 * and the compile result needs it again. Both read it only; the memo lives as long as the unit.
 */
export function graphOf(
  unit: RunbookUnit,
  ctx: Pick<RuleContext, 'catalog' | 'templates' | 'directory' | 'project'>,
): IrGraph {
  const hit = built.get(unit);
  if (hit && hit.ctx === ctx) return hit.graph;
  const graph = buildGraph(unit, ctx);
  built.set(unit, { ctx, graph });
  return graph;
}

/** Builds the step graph (IR) of a runbook that compiled without errors. */
export function buildGraph(
  unit: RunbookUnit,
  ctx: Pick<RuleContext, 'catalog' | 'templates' | 'directory' | 'project'>,
): IrGraph {
  const { data, deps, doc } = unit;
  const spec = data.spec;
  const phases: IrPhase[] = spec.phases.map((p) => ({
    id: p.id,
    title: p.title ?? humanise(p.id),
    ...(p.description ? { description: p.description } : {}),
    ...(p.budget ? { budgetMs: ms(p.budget) } : {}),
    parallel: p.parallel === true,
    steps: p.steps.map((s) => s.id),
  }));
  const fin = finallyPhase(spec);
  // Marked, and only when present: graphs without `finally` keep their plan hash.
  if (fin)
    phases.push({ id: fin.id, title: fin.title!, parallel: false, steps: fin.steps.map((s) => s.id), finally: true });
  const order = deps.order();
  const nodes = order.map((id) => {
    const ref = deps.byId.get(id)!;
    const isFinal = fin !== undefined && ref.phaseIndex === spec.phases.length;
    let needs = deps.inPhase.get(id) ?? [];
    // Phase barrier as edges: a phase's entry steps wait for the previous phase's exits. Finally
    // steps have no barrier edge: they wait for the phases to end, whatever happened, which the
    // executor enforces (a need on a step that never ran would hold them back forever).
    if (needs.length === 0 && ref.phaseIndex > 0 && !isFinal) needs = deps.exits(ref.phaseIndex - 1);
    const node = buildNode(ref, needs, unit, ctx.catalog, spec.approvals);
    return isFinal ? { ...node, finally: true as const } : node;
  });
  const rtoMs = ms(spec.objectives?.rto);
  const updates = updatesOf(spec);
  const graph: Omit<IrGraph, 'planHash'> = {
    irVersion: 1,
    name: data.metadata.name,
    title: data.metadata.title ?? humanise(data.metadata.name),
    ...(data.metadata.description ? { description: data.metadata.description } : {}),
    origin: {
      kind: unit.loweredFrom ? 'BackupPlan' : 'Runbook',
      file: doc.file.path,
      format: doc.format === 'markdown' ? 'markdown' : 'yaml',
    },
    ...(data.metadata.owner ? { owner: data.metadata.owner } : {}),
    ...(data.metadata.tier ? { tier: data.metadata.tier } : {}),
    tags: data.metadata.tags ?? [],
    objectives: {
      ...(rtoMs !== undefined ? { rtoMs } : {}),
      ...(spec.objectives?.rpo ? { rpoMs: ms(spec.objectives.rpo) } : {}),
    },
    inputs: Object.fromEntries(Object.entries(spec.inputs ?? {}).map(([k, v]) => [k, input(v)])),
    secrets: [...(spec.secrets ?? [])],
    ...(spec.environment ? { environment: spec.environment } : {}),
    ...(spec.concurrency ? { concurrency: spec.concurrency } : {}),
    ...(spec.approvals ? { approvals: approval(spec.approvals) } : {}),
    onFailure: spec.onFailure ?? 'abort',
    ...scheduleOf(unit, spec),
    phases,
    nodes,
    ...updates,
    resources: collectResources(nodes, approverEntries(nodes, spec.approvals), ctx, updates.updates),
    rto: analyseRto(phases, nodes, rtoMs),
  };
  return { ...graph, planHash: planHash(graph) };
}

/** A lowered BackupPlan's schedule, else the Runbook's own `spec.schedule`, if any. */
function scheduleOf(unit: RunbookUnit, spec: RunbookSpec): { schedule?: string } {
  const schedule = unit.loweredFrom ? (unit.loweredFrom.data.spec as { schedule: string }).schedule : spec.schedule;
  return schedule === undefined ? {} : { schedule };
}

/** `spec.updates` with durations in milliseconds (absent when the Runbook has none). */
function updatesOf(spec: RunbookSpec): { updates?: IrUpdate[] } {
  if (!spec.updates?.length) return {};
  return {
    updates: spec.updates.map((u) => ({
      audience: [...u.audience],
      everyMs: ms(u.every)!,
      template: u.template,
      ...(u.vars ? { vars: u.vars } : {}),
    })),
  };
}

/** SHA-256 of what would run (see ir/plan-hash.ts). */
export const planHash = graphHash;

function approverEntries(nodes: readonly IrNode[], runApprovals?: ApprovalSpec): string[] {
  return [...(runApprovals?.approvers ?? []), ...nodes.flatMap((n) => n.approval?.approvers ?? [])];
}

function buildNode(
  ref: StepRef,
  needs: string[],
  unit: RunbookUnit,
  catalog: ReadonlyMap<string, ActionInfo>,
  runApprovals?: ApprovalSpec,
): IrNode {
  const { step } = ref;
  const body = buildBody(step);
  const pos = positionAt(unit.doc.file, unit.doc.map.range(joinPointer(ref.pointer, 'id')).start);
  const gate = step.approval ?? (isGate(body.uses) ? (body.with as ApprovalSpec) : undefined);
  return {
    id: step.id,
    phase: ref.phase.id,
    title: step.title ?? humanise(step.id),
    ...(step.description ? { description: step.description } : {}),
    ...body,
    needs,
    ...(step.if !== undefined ? { if: step.if } : {}),
    ...(step.onFailure ? { onFailure: step.onFailure } : {}),
    ...(step.rollback ? { rollback: buildBody(step.rollback) } : {}),
    idempotent: step.idempotent ?? catalog.get(body.uses)?.idempotent ?? false,
    irreversible: step.irreversible === true,
    recovery: step.recovery === true,
    ...(step.estimate ? { estimateMs: ms(step.estimate) } : {}),
    outputs: { ...(step.outputs ?? {}) },
    assert: [...(step.assert ?? [])],
    ...(gate ? { approval: approval(gate, runApprovals) } : {}),
    source: { file: unit.doc.file.path, line: pos.line, column: pos.column },
  };
}

function buildBody(body: StepBodySpec): IrBody {
  const uses = body.uses ?? 'shell';
  const withParams = body.run !== undefined ? { ...(body.with ?? {}), script: body.run } : { ...(body.with ?? {}) };
  return {
    uses,
    with: withParams,
    env: { ...(body.env ?? {}) },
    ...(body.timeout ? { timeoutMs: ms(body.timeout) } : {}),
    ...(body.retry ? { retry: retry(body.retry) } : {}),
  };
}

function retry(r: RetrySpec): IrRetry {
  return {
    attempts: r.attempts ?? 1,
    delayMs: ms(r.delay) ?? 0,
    backoff: r.backoff ?? 'fixed',
    ...(r.maxDelay ? { maxDelayMs: ms(r.maxDelay) } : {}),
  };
}

/** A gate's policy; fields it leaves out come from the runbook's `spec.approvals`. */
function approval(a: ApprovalSpec, defaults?: ApprovalSpec): IrApproval {
  const timeout = a.timeout ?? defaults?.timeout;
  const parkAfter = a.parkAfter ?? defaults?.parkAfter;
  return {
    approvers: [...(a.approvers ?? defaults?.approvers ?? [])],
    required: a.required ?? defaults?.required ?? 1,
    selfApproval: a.selfApproval ?? defaults?.selfApproval ?? false,
    // Only when opted in: graphs that do not are unchanged, and so are their plan hashes.
    ...((a.allowUnsigned ?? defaults?.allowUnsigned) === true ? { allowUnsigned: true as const } : {}),
    ...(timeout ? { timeoutMs: ms(timeout) } : {}),
    ...(parkAfter ? { parkAfterMs: ms(parkAfter) } : {}),
    ...(a.message !== undefined ? { message: a.message } : {}),
  };
}

function input(v: InputSpec): IrInput {
  return {
    type: v.type,
    ...(v.description ? { description: v.description } : {}),
    required: v.required === true,
    ...(v.default !== undefined ? { default: v.default } : {}),
    ...(v.options ? { options: [...v.options] } : {}),
  };
}

/** `promote-db` → `Promote db`: a readable title when the author gave none. */
export function humanise(id: string): string {
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export type { StepSpec };
