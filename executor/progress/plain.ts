import pc from 'picocolors';
import { formatDuration as fmt } from '../../ir/duration.js';
import type { StepLogger } from '../actions/action.js';
import type { AuditRecord } from '../audit/record.js';
import type { RunEvents } from '../core/events.js';

type Out = (line: string) => void;

/**
 * Plain progress lines from audit records (CI logs, pipes): one line per event that matters,
 * with durations and the phase budget left. The same records feed the audit log.
 */
export function plainProgress(
  out: Out,
  color = pc.isColorSupported,
): { onRecord(r: AuditRecord): void; logger(stepId: string): StepLogger } {
  const c = color
    ? pc
    : ({ green: String, red: String, yellow: String, dim: String, bold: String, cyan: String } as unknown as typeof pc);
  const budgets = new Map<string, number | undefined>();
  const phaseStart = new Map<string, number>();
  return {
    onRecord(r) {
      const t = Date.parse(r.ts);
      switch (r.type) {
        case 'run:start': {
          const d = r.data as RunEvents['run:start'];
          d.phases.forEach((p) => budgets.set(p.id, p.budgetMs));
          out(
            c.bold(
              `▶ ${d.runbook}${d.dryRun ? ' (dry run)' : ''}${d.drill ? ' (DRILL)' : ''} · run ${r.runId} · plan ${d.planHash.slice(0, 12)} · by ${d.initiator}`,
            ),
          );
          break;
        }
        case 'phase:start': {
          const id = (r.data as RunEvents['phase:start']).phaseId;
          phaseStart.set(id, t);
          const b = budgets.get(id);
          out(c.bold(`── ${id}${b !== undefined ? ` (budget ${fmt(b)})` : ''}`));
          break;
        }
        case 'phase:end': {
          const d = r.data as RunEvents['phase:end'];
          const over = d.budgetMs !== undefined && d.durationMs > d.budgetMs;
          const left =
            d.budgetMs !== undefined
              ? ` · ${over ? c.red(`${fmt(d.durationMs - d.budgetMs)} over budget`) : `${fmt(d.budgetMs - d.durationMs)} of budget left`}`
              : '';
          out(c.dim(`── ${d.phaseId} done in ${fmt(d.durationMs)}`) + left);
          break;
        }
        case 'step:start': {
          const d = r.data as RunEvents['step:start'];
          out(`  ${c.cyan('▸')} ${d.stepId} ${c.dim(`${d.uses}${d.attempt > 1 ? ` · attempt ${d.attempt}` : ''}`)}`);
          break;
        }
        case 'step:retry': {
          const d = r.data as RunEvents['step:retry'];
          out(`  ${c.yellow('↻')} ${d.stepId} attempt ${d.attempt} failed: ${d.error} · retrying in ${fmt(d.delayMs)}`);
          break;
        }
        case 'step:end': {
          const d = r.data as RunEvents['step:end'];
          const mark = d.status === 'succeeded' ? c.green('✔') : d.status === 'skipped' ? c.dim('○') : c.red('✖');
          out(
            `  ${mark} ${d.stepId} ${c.dim(`${d.status} in ${fmt(d.durationMs)}`)}${d.error ? ` ${c.red(d.error)}` : ''}${d.reason ? c.dim(` (${d.reason})`) : ''}`,
          );
          break;
        }
        case 'approval:granted': {
          const d = r.data as RunEvents['approval:granted'];
          out(
            `  ${c.green('🔓')} ${d.stepId} approved by ${d.approval.approver} (${d.approval.source}) ${d.count}/${d.required}`,
          );
          break;
        }
        case 'approval:refused': {
          const d = r.data as RunEvents['approval:refused'];
          out(`  ${c.red('🔒')} ${d.stepId} ${d.approver ? `${d.approver}: ` : ''}${d.reason}`);
          break;
        }
        case 'rollback:start':
          out(c.yellow(`↺ rolling back: ${(r.data as RunEvents['rollback:start']).reason}`));
          break;
        case 'rollback:step': {
          const d = r.data as RunEvents['rollback:step'];
          out(
            `  ${d.status === 'succeeded' ? c.green('↺') : c.red('✖')} compensated ${d.stepId}${d.error ? `: ${d.error}` : ''}`,
          );
          break;
        }
        case 'rollback:end': {
          const d = r.data as RunEvents['rollback:end'];
          out(
            c.yellow(`↺ rollback ${d.status}${d.stoppedAt ? ` at ${d.stoppedAt}` : ''}`) +
              (d.notUndone?.length ? c.red(` · not undone: ${d.notUndone.join(', ')} (${d.reason})`) : ''),
          );
          break;
        }
        case 'run:end': {
          const d = r.data as RunEvents['run:end'];
          const ok = d.status === 'succeeded';
          out(
            (ok ? c.green : c.red)(c.bold(`${ok ? '✔' : '✖'} ${r.runbook} ${d.status} in ${fmt(d.durationMs)}`)) +
              (d.error ? ` · ${d.error}` : ''),
          );
          break;
        }
        default:
          break;
      }
    },
    logger: (stepId) => ({
      info: (m) => out(c.dim(`    ${stepId} │ ${m}`)),
      stdout: (l) => out(c.dim(`    ${stepId} │ `) + l),
      stderr: (l) => out(c.dim(`    ${stepId} │ `) + c.yellow(l)),
    }),
  };
}
