import pc from 'picocolors';
import { formatDuration as fmt } from '../../ir/duration.js';
import type { StepLogger } from '../actions/action.js';
import type { AuditRecord } from '../audit/record.js';
import { parkedText } from '../audit/summary-types.js';
import { applyRecord, createRunState, type RunState } from '../run-state/fold-run.js';

type Out = (line: string) => void;
type Colors = typeof pc;

/**
 * Plain progress lines from audit records (CI logs, pipes): one line per event that matters,
 * with durations and the phase budget left. The same records feed the audit log; the run's
 * state (phase budgets) comes from the shared fold.
 */
export function plainProgress(
  out: Out,
  color = pc.isColorSupported,
): { onRecord(r: AuditRecord): void; logger(stepId: string): StepLogger } {
  const c = color
    ? pc
    : ({ green: String, red: String, yellow: String, dim: String, bold: String, cyan: String } as unknown as Colors);
  const state = createRunState();
  return {
    onRecord(r) {
      applyRecord(state, r);
      const line = stepLine(r, c) ?? runLine(r, c, state);
      if (line !== undefined) out(line);
    },
    logger: (stepId) => ({
      info: (m) => out(c.dim(`    ${stepId} │ ${m}`)),
      stdout: (l) => out(c.dim(`    ${stepId} │ `) + l),
      stderr: (l) => out(c.dim(`    ${stepId} │ `) + c.yellow(l)),
    }),
  };
}

/** The line of a step record, undefined for the others. */
function stepLine(r: AuditRecord, c: Colors): string | undefined {
  switch (r.type) {
    case 'step:start': {
      const d = r.data;
      return `  ${c.cyan('▸')} ${d.stepId} ${c.dim(`${d.uses}${d.attempt > 1 ? ` · attempt ${d.attempt}` : ''}`)}`;
    }
    case 'step:retry': {
      const d = r.data;
      return `  ${c.yellow('↻')} ${d.stepId} attempt ${d.attempt} failed: ${d.error} · retrying in ${fmt(d.delayMs)}`;
    }
    case 'step:end': {
      const d = r.data;
      const mark = d.status === 'succeeded' ? c.green('✔') : d.status === 'skipped' ? c.dim('○') : c.red('✖');
      const error = d.error ? ` ${c.red(d.error)}` : '';
      return `  ${mark} ${d.stepId} ${c.dim(`${d.status} in ${fmt(d.durationMs)}`)}${error}${d.reason ? c.dim(` (${d.reason})`) : ''}`;
    }
    case 'approval:granted': {
      const d = r.data;
      return `  ${c.green('🔓')} ${d.stepId} approved by ${d.approval.approver} (${d.approval.source}) ${d.count}/${d.required}`;
    }
    case 'approval:refused':
      return `  ${c.red('🔒')} ${r.data.stepId} ${r.data.approver ? `${r.data.approver}: ` : ''}${r.data.reason}`;
    default:
      return undefined;
  }
}

/** The line of a run, phase or rollback record, undefined for records without one. */
function runLine(r: AuditRecord, c: Colors, state: RunState): string | undefined {
  switch (r.type) {
    case 'run:start': {
      const d = r.data;
      const flags = `${d.dryRun ? ' (dry run)' : ''}${d.drill ? ' (DRILL)' : ''}`;
      return c.bold(`▶ ${d.runbook}${flags} · run ${r.runId} · plan ${d.planHash.slice(0, 12)} · by ${d.initiator}`);
    }
    case 'phase:start': {
      const id = r.data.phaseId;
      const b = state.phases.find((p) => p.id === id)?.budgetMs;
      return c.bold(`── ${id}${b !== undefined ? ` (budget ${fmt(b)})` : ''}`);
    }
    case 'phase:end': {
      const d = r.data;
      const over = d.budgetMs !== undefined && d.durationMs > d.budgetMs;
      const left =
        d.budgetMs !== undefined
          ? ` · ${over ? c.red(`${fmt(d.durationMs - d.budgetMs)} over budget`) : `${fmt(d.budgetMs - d.durationMs)} of budget left`}`
          : '';
      return c.dim(`── ${d.phaseId} done in ${fmt(d.durationMs)}`) + left;
    }
    case 'run:end': {
      const d = r.data;
      const ok = d.status === 'succeeded';
      const line = c.bold(`${ok ? '✔' : '✖'} ${r.runbook} ${d.status} in ${fmt(d.durationMs)}`);
      return (ok ? c.green : c.red)(line) + (d.error ? ` · ${d.error}` : '');
    }
    case 'run:parked':
      // Not an end: the run waits (without a runner) for an approval, and a comment resumes it.
      return c.yellow(c.bold(`⏸ ${r.runbook} ${parkedText(r.data)}`));
    default:
      return rollbackLine(r, c);
  }
}

function rollbackLine(r: AuditRecord, c: Colors): string | undefined {
  switch (r.type) {
    case 'rollback:start':
      return c.yellow(`↺ rolling back: ${r.data.reason}`);
    case 'rollback:step': {
      const d = r.data;
      return `  ${d.status === 'succeeded' ? c.green('↺') : c.red('✖')} compensated ${d.stepId}${d.error ? `: ${d.error}` : ''}`;
    }
    case 'rollback:end': {
      const d = r.data;
      return (
        c.yellow(`↺ rollback ${d.status}${d.stoppedAt ? ` at ${d.stoppedAt}` : ''}`) +
        (d.notUndone?.length ? c.red(` · not undone: ${d.notUndone.join(', ')} (${d.reason})`) : '')
      );
    }
    default:
      return undefined;
  }
}
