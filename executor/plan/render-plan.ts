import pc from 'picocolors';
import { formatDuration as fmt } from '../../ir/duration.js';
import type { Plan, PlannedStep } from './build-plan.js';

const statusMark = { ok: '✔', 'worst-case-over': '⚠', over: '✖' } as Record<string, string>;

/** `runbook plan` for people: waves, gates, points of no return, calls, timeline, plan hash. */
export function renderPlan(plan: Plan, color = pc.isColorSupported): string {
  const c = color
    ? pc
    : {
        bold: (s: string) => s,
        dim: (s: string) => s,
        red: (s: string) => s,
        yellow: (s: string) => s,
        cyan: (s: string) => s,
        green: (s: string) => s,
      };
  const out: string[] = [];
  out.push(c.bold(`Plan for ${plan.runbook}: ${plan.title}`));
  out.push(`plan hash ${c.bold(plan.planHash)}  (${plan.mode} run · graph ${plan.graphHash.slice(0, 12)})`);
  const inputs = Object.entries(plan.inputs);
  out.push(`inputs: ${inputs.length ? inputs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') : '(none)'}`);
  if (plan.secrets.length)
    out.push(`secrets: ${plan.secrets.map((s) => `${s.name}${s.present ? '' : c.yellow(' (not set)')}`).join(', ')}`);
  let elapsed = 0;
  for (const phase of plan.phases) {
    const budget = phase.budgetMs !== undefined ? ` budget ${fmt(phase.budgetMs)}` : '';
    out.push(
      '',
      c.bold(`▸ ${phase.title} [${phase.id}]`) +
        c.dim(
          `  t+${fmt(elapsed)} · expected ${fmt(phase.expectedMs)} · worst ${fmt(phase.worstCaseMs)}${budget} ${statusMark[phase.status] ?? ''}`,
        ),
    );
    if (phase.finally)
      out.push(
        c.dim('  runs after the phases end, whatever the outcome (after any rollback); run.status is their outcome'),
      );
    elapsed += phase.expectedMs;
    const waves = new Map<number, PlannedStep[]>();
    for (const s of phase.steps) waves.set(s.wave, [...(waves.get(s.wave) ?? []), s]);
    for (const [wave, steps] of [...waves].sort(([a], [b]) => a - b)) {
      const together = steps.length > 1 ? c.dim(` (${steps.length} in parallel)`) : '';
      out.push(`  wave ${wave + 1}${together}`);
      for (const s of steps) out.push(...stepLines(s, c));
    }
  }
  const rto = plan.rto;
  out.push(
    '',
    c.bold('Timeline') +
      `: expected ${fmt(rto.expectedMs)}, worst case ${fmt(rto.worstCaseMs)}` +
      (rto.rtoMs !== undefined ? ` against an RTO of ${fmt(rto.rtoMs)} ${statusMark[rto.status] ?? ''}` : ''),
  );
  out.push(c.dim(`critical path: ${rto.criticalPath.join(' → ')}`));
  out.push(c.dim(`approve this plan: an approvals file entry with planHash: ${plan.planHash}`));
  return out.join('\n') + '\n';
}

type Paint = Record<'bold' | 'dim' | 'red' | 'yellow' | 'cyan' | 'green', (s: string) => string>;

function stepLines(s: PlannedStep, c: Paint): string[] {
  const marks = [
    s.irreversible ? c.red('⛔ point of no return') : '',
    s.gate ? c.yellow(`🔐 ${s.gate.required} of ${s.gate.approvers.join(', ') || 'anyone'}`) : '',
    s.condition ? c.dim(`if ${s.condition}`) : '',
    s.timeoutMs !== undefined ? c.dim(`timeout ${fmt(s.timeoutMs)}`) : '',
    s.attempts > 1 ? c.dim(`${s.attempts} attempts`) : '',
    s.idempotent ? '' : c.dim('not idempotent'),
  ].filter(Boolean);
  const lines = [`    ${c.bold(s.id)} ${c.cyan(s.uses)} ${marks.join(' · ')}`];
  if (s.gate?.message) lines.push(`      ${c.yellow('asks:')} ${s.gate.message}`);
  if ('error' in s.plan) lines.push(`      ${c.red('cannot plan:')} ${s.plan.error}`);
  else {
    lines.push(`      ${s.plan.summary}`);
    for (const call of s.plan.calls)
      lines.push(c.dim(`      → ${call.target} ${call.operation}${call.args ? ' ' + JSON.stringify(call.args) : ''}`));
  }
  return lines;
}
