import { canonicalJson } from '../../ir/canonical-json.js';
import type { IrApproval, IrGraph } from '../../ir/types.js';
import type { CompileResult } from '../compile.js';
import type { RunRequestInfo } from '../load/run-request.js';
import type { ChangeKind } from './change-kind.js';

/** What reviewers approve when they approve a run request: the plan of its runbook, summarised. */
export interface RunRequestPlan {
  readonly title: string;
  readonly steps: number;
  /** The runbook's own approval policy, which the pull request's reviews must satisfy. */
  readonly approvals?: IrApproval;
  readonly environment?: string;
  /** Points of no return, in graph order. */
  readonly irreversible: string[];
  readonly expectedMs: number;
  readonly worstCaseMs: number;
  readonly rtoMs?: number;
}

/** A run request the pull request adds, changes or removes, with the plan reviewers approve. */
export interface RunRequestChange {
  readonly kind: ChangeKind;
  /** Head's request (base's when removed). */
  readonly request: RunRequestInfo;
  /** Base's plan hash of a changed request, when it had one. */
  readonly previousPlanHash?: string;
  /** The plan in head (absent when removed, or when the runbook has no graph). */
  readonly plan?: RunRequestPlan;
}

/**
 * Run requests the pull request adds, changes or removes, by file. A request whose file is
 * unchanged but whose runbook changed is "changed" too: its plan hash moved, so it needs review.
 */
export function diffRunRequests(base: CompileResult, head: CompileResult): RunRequestChange[] {
  const before = new Map(base.runRequests.map((r) => [r.file, r]));
  const after = new Map(head.runRequests.map((r) => [r.file, r]));
  const graphs = new Map(head.graphs.map((g) => [g.name, g]));
  const files = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: RunRequestChange[] = [];
  for (const file of files) {
    const b = before.get(file);
    const a = after.get(file);
    if (!a) {
      out.push({ kind: 'removed', request: b as RunRequestInfo });
      continue;
    }
    if (b && canonicalJson(b) === canonicalJson(a)) continue;
    const graph = graphs.get(a.runbook);
    out.push({
      kind: b ? 'changed' : 'added',
      request: a,
      ...(b?.planHash ? { previousPlanHash: b.planHash } : {}),
      ...(graph ? { plan: planOf(graph) } : {}),
    });
  }
  return out;
}

function planOf(graph: IrGraph): RunRequestPlan {
  return {
    title: graph.title,
    steps: graph.nodes.length,
    ...(graph.approvals ? { approvals: graph.approvals } : {}),
    ...(graph.environment ? { environment: graph.environment } : {}),
    irreversible: graph.nodes.filter((n) => n.irreversible).map((n) => n.id),
    expectedMs: graph.rto.expectedMs,
    worstCaseMs: graph.rto.worstCaseMs,
    ...(graph.rto.rtoMs !== undefined ? { rtoMs: graph.rto.rtoMs } : {}),
  };
}
