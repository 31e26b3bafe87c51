import { stripVTControlCharacters } from 'node:util';
import type { AuditRecord } from '../audit/record.js';
import { applyRecord as foldRecord, createRunState, ensureStep, type RunState } from '../run-state/fold-run.js';
import { asksConfirmation } from '../../common/actions-catalog/index.js';

/**
 * What the live view shows: the run as the records tell it (the shared fold, executor/run-state)
 * plus what only the view keeps: the last lines each step printed, notes, and the steps that may
 * have a terminal prompt open.
 */
export interface TtyState {
  readonly run: RunState;
  /** The last few lines each step printed (already masked by the run's logger), by step id. */
  readonly logs: Map<string, string[]>;
  readonly notes: string[];
  /** Steps that may have a terminal prompt open: an approval asked for, a manual or checklist step running. */
  readonly prompting: Set<string>;
}

export const LOG_LINES = 3;

export function createTtyState(): TtyState {
  return { run: createRunState(), logs: new Map(), notes: [], prompting: new Set() };
}

/**
 * Folds one audit record into the state (in place: a run of 10,000 steps must not copy the map
 * per record) and returns it. Times come from the records, so a replayed log renders the same.
 */
export function applyRecord(state: TtyState, r: AuditRecord): TtyState {
  foldRecord(state.run, r);
  if (!applyPromptRecord(state, r)) applyNoteRecord(state, r);
  return state;
}

/** What the records say about prompts open on the terminal, and the lines they leave under a step. */
function applyPromptRecord(state: TtyState, r: AuditRecord): boolean {
  switch (r.type) {
    case 'step:start':
      if (asksConfirmation(r.data.uses)) state.prompting.add(r.data.stepId);
      else state.prompting.delete(r.data.stepId);
      return true;
    case 'step:retry':
    case 'step:end':
      state.prompting.delete(r.data.stepId);
      return true;
    case 'approval:requested':
      state.prompting.add(r.data.stepId);
      return true;
    case 'approval:granted': {
      const e = r.data;
      if (e.count >= e.required) state.prompting.delete(e.stepId);
      pushLog(state, e.stepId, `approved by ${e.approval.approver} (${e.approval.source}) ${e.count}/${e.required}`);
      return true;
    }
    case 'approval:refused':
      pushLog(state, r.data.stepId, `refused${r.data.approver ? ` by ${r.data.approver}` : ''}: ${r.data.reason}`);
      // A refusal without an approver is the gate's final answer: nobody is asked any more.
      if (!r.data.approver) state.prompting.delete(r.data.stepId);
      return true;
    case 'checklist:item':
      pushLog(state, r.data.stepId, `☑ ${r.data.text} (${r.data.confirmedBy})`);
      return true;
    default:
      return false;
  }
}

function applyNoteRecord(state: TtyState, r: AuditRecord): void {
  switch (r.type) {
    case 'rollback:step':
      if (r.data.status !== 'succeeded')
        state.notes.push(`compensating ${r.data.stepId} ${r.data.status}${r.data.error ? `: ${r.data.error}` : ''}`);
      break;
    case 'operator:decision': {
      const e = r.data;
      state.notes.push(`${e.by} decided ${e.decision} for ${e.stepId}${e.reason ? `: ${e.reason}` : ''}`);
      break;
    }
    case 'run:interrupted':
      state.notes.push(`interrupted (${r.data.signal}): running steps are being stopped`);
      break;
    default:
      break; // the other events are no note: the fold shows them
  }
}

/** Keeps a printed line: control sequences out (they would break the frame), only the last few. */
export function addLogLine(state: TtyState, stepId: string, text: string): void {
  for (const line of String(text).split('\n')) {
    // A `\r` progress bar redraws its line: what is after the last `\r` is what a terminal shows.
    const clean = stripVTControlCharacters(line.slice(line.lastIndexOf('\r') + 1))
      .replace(/\t/g, '  ')
      .replace(/[\u0000-\u001f\u007f]/g, '');
    if (clean.trim()) pushLog(state, stepId, clean);
  }
}

/** A line under a step; a step the records have not named yet joins the run's current phase. */
function pushLog(state: TtyState, stepId: string, line: string): void {
  ensureStep(state.run, stepId);
  let logs = state.logs.get(stepId);
  if (!logs) state.logs.set(stepId, (logs = []));
  logs.push(line);
  if (logs.length > LOG_LINES) logs.splice(0, logs.length - LOG_LINES);
}
