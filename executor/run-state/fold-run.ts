import type { AuditRecord } from '../audit/record.js';
import { applyRunRecord } from './apply-run.js';
import { applyStepRecord } from './apply-step.js';
import { createRunState, type RunState } from './state.js';

export { ensureStep } from './apply-step.js';
export * from './state.js';

/**
 * Folds one audit record into the state, in place (a run of 10,000 steps must not copy its maps
 * per record), and returns it. Pure otherwise: times come from the records, so a replayed
 * journal gives the same state as the live run did.
 */
export function applyRecord(state: RunState, r: AuditRecord): RunState {
  const at = { at: r.ts, ms: Date.parse(r.ts) };
  state.header ??= {
    runId: r.runId,
    runbook: r.runbook,
    planHash: r.planHash,
    commit: r.commit,
    actor: r.actor,
    first: at,
  };
  if (!applyStepRecord(state, r, at)) applyRunRecord(state, r, at);
  return state;
}

/** The state of a run from its records (a journal, or any verified copy of it), in seq order. */
export function foldRun(records: Iterable<AuditRecord>, state: RunState = createRunState()): RunState {
  for (const r of records) applyRecord(state, r);
  return state;
}
