import type { IrPhase, RtoAnalysis, RtoStatus } from '../../ir/types.js';

/** One side of an RTO row: a phase's (or the total's) figures in one compile. */
export interface RtoFigures {
  /** The phase `budget`, or for the total the runbook's RTO objective. */
  readonly budgetMs?: number;
  readonly expectedMs: number;
  readonly worstCaseMs: number;
  readonly status: RtoStatus;
}

/** What got worse: the expected duration, the worst case, or the status against the budget. */
export type RtoRegression = 'expected' | 'worst-case' | 'status';

/** One phase (or the total) before and after, with what got worse. */
export interface RtoRow {
  /** Phase id, or `total`. */
  readonly id: string;
  readonly before?: RtoFigures;
  readonly after?: RtoFigures;
  /** Empty unless both sides exist and something got worse. */
  readonly regressions: RtoRegression[];
}

/** Worse is larger: `ok` < `worst-case-over` < `over`. */
export const statusRank: Readonly<Record<RtoStatus, number>> = { ok: 0, 'worst-case-over': 1, over: 2 };

/**
 * RTO before and after, per phase and in total. Any growth of the expected or worst-case
 * duration is a regression, even within budget: a reviewer should see time being spent.
 */
export function diffRto(
  before: RtoAnalysis | undefined,
  after: RtoAnalysis | undefined,
  phases: readonly IrPhase[],
): { phases: RtoRow[]; total: RtoRow } {
  const b = new Map((before?.phases ?? []).map((p) => [p.id, p]));
  const a = new Map((after?.phases ?? []).map((p) => [p.id, p]));
  // Head's phase order first (as the run will go), then phases the change removed.
  const ids = [
    ...phases.map((p) => p.id),
    ...(after?.phases ?? []).map((p) => p.id),
    ...(before?.phases ?? []).map((p) => p.id),
  ].filter((id, i, all) => all.indexOf(id) === i);
  const rows = ids.map((id) => row(id, figures(b.get(id)), figures(a.get(id))));
  const total = row('total', before && totalFigures(before), after && totalFigures(after));
  return { phases: rows, total };
}

function figures(
  p: { budgetMs?: number; expectedMs: number; worstCaseMs: number; status: RtoStatus } | undefined,
): RtoFigures | undefined {
  if (!p) return undefined;
  return {
    ...(p.budgetMs !== undefined ? { budgetMs: p.budgetMs } : {}),
    expectedMs: p.expectedMs,
    worstCaseMs: p.worstCaseMs,
    status: p.status,
  };
}

function totalFigures(rto: RtoAnalysis): RtoFigures {
  return {
    ...(rto.rtoMs !== undefined ? { budgetMs: rto.rtoMs } : {}),
    expectedMs: rto.expectedMs,
    worstCaseMs: rto.worstCaseMs,
    status: rto.status,
  };
}

function row(id: string, before: RtoFigures | undefined, after: RtoFigures | undefined): RtoRow {
  const regressions: RtoRegression[] = [];
  if (before && after) {
    if (after.expectedMs > before.expectedMs) regressions.push('expected');
    if (after.worstCaseMs > before.worstCaseMs) regressions.push('worst-case');
    if (statusRank[after.status] > statusRank[before.status]) regressions.push('status');
  }
  return { id, ...(before ? { before } : {}), ...(after ? { after } : {}), regressions };
}
