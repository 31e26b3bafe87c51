import type { IrNode, IrPhase, IrRetry, RtoAnalysis, RtoPhase, RtoStatus } from '../../ir/types.js';
import { branchView } from './alternatives.js';

/** Total delay spent waiting between attempts (attempts − 1 waits). */
export function retryDelays(retry: IrRetry | undefined): number {
  if (!retry || retry.attempts <= 1) return 0;
  let total = 0;
  for (let i = 0; i < retry.attempts - 1; i++) {
    const d = retry.backoff === 'exponential' ? retry.delayMs * 2 ** i : retry.delayMs;
    total += retry.maxDelayMs !== undefined ? Math.min(d, retry.maxDelayMs) : d;
  }
  return total;
}

/**
 * A step's worst case: every attempt runs to its timeout, plus the waits between attempts.
 * Without a timeout the estimate is the best bound we have; approval gates wait up to theirs.
 */
export function worstCaseMs(node: IrNode): number {
  const perAttempt = node.timeoutMs ?? node.approval?.timeoutMs ?? node.estimateMs ?? 0;
  return perAttempt * (node.retry?.attempts ?? 1) + retryDelays(node.retry);
}

function status(value: number, worst: number, limit: number | undefined): RtoStatus {
  if (limit === undefined) return 'ok';
  if (value > limit) return 'over';
  return worst > limit ? 'worst-case-over' : 'ok';
}

/**
 * The RTO analysis: phases run one after another, so the runbook's expected duration is the sum
 * of each phase's longest path of estimates; the worst case likewise with worst-case durations.
 * `if:` alternatives (see alternatives.ts) are timed side by side: only one of them runs, so the
 * path takes the longest branch instead of the sum of all branches.
 */
export function analyseRto(
  phases: readonly IrPhase[],
  nodes: readonly IrNode[],
  rtoMs: number | undefined,
): RtoAnalysis {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const { needs } = branchView(nodes);
  const needsOf = (n: IrNode): readonly string[] => needs.get(n.id) ?? n.needs;
  const result: RtoPhase[] = phases.map((phase) => {
    const members = new Set(phase.steps);
    const ordered = nodes.filter((n) => members.has(n.id));
    const expected = longestPath(ordered, members, needsOf, (n) => n.estimateMs ?? 0);
    const worst = longestPath(ordered, members, needsOf, worstCaseMs);
    return {
      id: phase.id,
      ...(phase.budgetMs !== undefined ? { budgetMs: phase.budgetMs } : {}),
      expectedMs: expected.length,
      worstCaseMs: worst.length,
      criticalPath: expected.path,
      status: status(expected.length, worst.length, phase.budgetMs),
    };
  });
  const expectedMs = result.reduce((s, p) => s + p.expectedMs, 0);
  const worst = result.reduce((s, p) => s + p.worstCaseMs, 0);
  return {
    phases: result,
    ...(rtoMs !== undefined ? { rtoMs } : {}),
    expectedMs,
    worstCaseMs: worst,
    criticalPath: result.flatMap((p) => p.criticalPath),
    status: status(expectedMs, worst, rtoMs),
    unestimated: nodes.filter((n) => n.estimateMs === undefined && byId.has(n.id)).map((n) => n.id),
  };
}

/** Longest weighted path through a phase's DAG; `ordered` is topological. Ties keep the earlier step. */
function longestPath(
  ordered: readonly IrNode[],
  members: Set<string>,
  needsOf: (n: IrNode) => readonly string[],
  weight: (n: IrNode) => number,
): { length: number; path: string[] } {
  const best = new Map<string, { length: number; prev?: string }>();
  let end: string | undefined;
  for (const node of ordered) {
    let start = 0;
    let prev: string | undefined;
    for (const dep of needsOf(node)) {
      if (!members.has(dep)) continue;
      const b = best.get(dep);
      if (b && b.length > start) {
        start = b.length;
        prev = dep;
      }
    }
    const length = start + weight(node);
    best.set(node.id, { length, prev });
    if (end === undefined || length > best.get(end)!.length) end = node.id;
  }
  const path: string[] = [];
  for (let at = end; at !== undefined; at = best.get(at)?.prev) path.unshift(at);
  return { length: end === undefined ? 0 : best.get(end)!.length, path };
}
