import { canonicalJson } from '../../ir/canonical-json.js';
import type { IrApproval, IrGraph } from '../../ir/types.js';
import type { CompileResult } from '../compile.js';
import type { ChangeKind } from './change-kind.js';
import { diffRto, type RtoRow } from './diff-rto.js';
import { diffRunRequests, type RunRequestChange } from './diff-run-requests.js';
import { diffSteps, type StepsDiff } from './diff-steps.js';

/**
 * What a pull request changes in what would run: per runbook (by name) the steps, gates, points of
 * no return and RTO before and after, and the run requests it proposes. Built from two compile
 * results (base and head), so it is pure and snapshot-testable; `renderPlanComment` turns it into
 * the sticky pull-request comment.
 */

export type { ChangeKind } from './change-kind.js';

/** An approval gate: a step with an approval (or an `approval` step), or the whole run. */
export interface Gate {
  /** Step id, or `run` for the runbook's own `spec.approvals`. */
  readonly step: string;
  readonly approval: IrApproval;
}

/** Everything a reviewer needs about one changed runbook (or BackupPlan). */
export interface RunbookDiff {
  readonly name: string;
  readonly title: string;
  readonly kind: ChangeKind;
  readonly origin: IrGraph['origin'];
  readonly steps: StepsDiff;
  /** Runbook-level fields that changed (`inputs`, `secrets`, `environment`, `phases`, …). */
  readonly settings: string[];
  readonly gates: { readonly before: Gate[]; readonly after: Gate[]; readonly changed: boolean };
  /** Ids of `irreversible` steps (points of no return), in graph order. */
  readonly irreversible: { readonly before: string[]; readonly after: string[]; readonly changed: boolean };
  /** One row per phase (head's order, then removed phases), then the total. */
  readonly rto: { readonly phases: RtoRow[]; readonly total: RtoRow };
  /** True when any RTO figure got worse. */
  readonly regression: boolean;
  readonly planHash: { readonly before?: string; readonly after?: string };
}

/** The plan changes of a pull request: `diffCompile`'s result, `renderPlanComment`'s input. */
export interface PlanDiff {
  /** Changed runbooks (and BackupPlans), sorted by name. */
  readonly runbooks: RunbookDiff[];
  /** Run requests the pull request adds, changes (or whose plan changed) or removes, by file. */
  readonly runRequests: RunRequestChange[];
}

export type { RtoRow, RunRequestChange, StepsDiff };
export type { RtoFigures, RtoRegression } from './diff-rto.js';
export type { StepChange, StepRef } from './diff-steps.js';

/** Graph fields compared as a whole; nodes and RTO are diffed in detail, the rest is identity. */
const settingFields = [
  'title',
  'description',
  'owner',
  'tier',
  'tags',
  'objectives',
  'inputs',
  'secrets',
  'environment',
  'concurrency',
  'approvals',
  'onFailure',
  'schedule',
  'phases',
  'resources',
] as const;

/** Compares two compiled trees. A runbook whose plan hash is unchanged is not listed. */
export function diffCompile(base: CompileResult, head: CompileResult): PlanDiff {
  const before = new Map(base.graphs.map((g) => [g.name, g]));
  const after = new Map(head.graphs.map((g) => [g.name, g]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const runbooks: RunbookDiff[] = [];
  for (const name of names) {
    const b = before.get(name);
    const a = after.get(name);
    if (b && a && b.planHash === a.planHash) continue;
    runbooks.push(diffGraph(b, a));
  }
  return { runbooks, runRequests: diffRunRequests(base, head) };
}

function diffGraph(b: IrGraph | undefined, a: IrGraph | undefined): RunbookDiff {
  const current = (a ?? b) as IrGraph;
  const rto = diffRto(b?.rto, a?.rto, a?.phases ?? b?.phases ?? []);
  const gatesBefore = gatesOf(b);
  const gatesAfter = gatesOf(a);
  const irrBefore = b ? b.nodes.filter((n) => n.irreversible).map((n) => n.id) : [];
  const irrAfter = a ? a.nodes.filter((n) => n.irreversible).map((n) => n.id) : [];
  return {
    name: current.name,
    title: current.title,
    kind: !b ? 'added' : !a ? 'removed' : 'changed',
    origin: current.origin,
    steps: diffSteps(b?.nodes ?? [], a?.nodes ?? []),
    settings: b && a ? settingFields.filter((f) => canonicalJson(b[f]) !== canonicalJson(a[f])) : [],
    gates: {
      before: gatesBefore,
      after: gatesAfter,
      changed: canonicalJson(gatesBefore) !== canonicalJson(gatesAfter),
    },
    irreversible: { before: irrBefore, after: irrAfter, changed: canonicalJson(irrBefore) !== canonicalJson(irrAfter) },
    rto,
    regression: [...rto.phases, rto.total].some((row) => row.regressions.length > 0),
    planHash: { ...(b ? { before: b.planHash } : {}), ...(a ? { after: a.planHash } : {}) },
  };
}

function gatesOf(graph: IrGraph | undefined): Gate[] {
  if (!graph) return [];
  const gates: Gate[] = graph.approvals ? [{ step: 'run', approval: graph.approvals }] : [];
  for (const node of graph.nodes) if (node.approval) gates.push({ step: node.id, approval: node.approval });
  return gates;
}
