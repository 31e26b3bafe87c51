import pc from 'picocolors';
import { formatDuration } from '../../ir/duration.js';
import { rpoProbe } from './rpo-probe.js';
import {
  approvalAuthenticity,
  parkedText,
  type ApprovalSummary,
  type AuditSummary,
  type StepSummary,
} from './summary.js';

type Colors = ReturnType<typeof pc.createColors>;

/**
 * Renders an audit summary for the terminal: header (who, what, when), timeline table, phases
 * against their budgets, approvals with identities and sources, rollback, and the outcome with
 * ✔/✖ against the objectives. Plain text when `color` is false (files, CI logs, tests).
 */
export function renderAuditSummary(summary: AuditSummary, options: { color: boolean }): string {
  const c = pc.createColors(options.color);
  return (
    [
      header(summary, c),
      timeline(summary, c),
      phases(summary, c),
      approvals(summary, c),
      rollback(summary, c),
      outcome(summary, c),
    ]
      .filter((s) => s !== '')
      .join('\n\n') + '\n'
  );
}

/** Durations the way people read them in a report: whole seconds once past one second. */
function dur(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return formatDuration(ms >= 1000 ? Math.round(ms / 1000) * 1000 : Math.max(0, ms));
}

function at(ms: number | undefined): string {
  return ms === undefined ? '—' : `+${dur(ms)}`;
}

function header(s: AuditSummary, c: Colors): string {
  const flags = [s.dryRun ? 'dry run' : '', s.drill ? 'drill' : ''].filter(Boolean).join(', ');
  const inputs = Object.entries(s.inputs).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [
    c.bold(`Run ${s.runId}`) +
      ` · ${s.runbook}${s.title ? ` — ${s.title}` : ''}${flags ? c.yellow(` (${flags})`) : ''}`,
    `  initiated by ${c.bold(s.initiator ?? s.actor)}${s.initiator && s.initiator !== s.actor ? ` (executed as ${s.actor})` : ''}`,
    `  started ${s.startedAt}${s.endedAt ? `, ended ${s.endedAt}` : ''}`,
    `  plan ${s.planHash}${s.commit ? ` · commit ${s.commit}` : ' · no commit recorded'}`,
    `  inputs: ${inputs.length ? inputs.join(', ') : '(none)'}`,
    ...s.resumes.map((r) => `  resumed by ${r.by} at ${r.at}`),
  ].join('\n');
}

function table(rows: string[][], paint: (row: number, col: number, text: string) => string): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map(
      (r, ri) =>
        '  ' +
        r
          .map((cell, ci) => paint(ri, ci, cell.padEnd(widths[ci])))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

function statusColor(status: StepSummary['status'], c: Colors): (t: string) => string {
  return status === 'succeeded' ? c.green : status === 'skipped' ? c.dim : status === 'running' ? c.yellow : c.red;
}

function timeline(s: AuditSummary, c: Colors): string {
  if (s.steps.length === 0) return c.bold('Timeline') + '\n  (no steps ran)';
  const rows = [['step', 'start', 'end', 'duration', 'attempts', 'status']];
  for (const st of s.steps)
    rows.push([st.stepId, at(st.startMs), at(st.endMs), dur(st.durationMs), String(st.attempts), st.status]);
  const body = table(rows, (r, col, text) =>
    r === 0 ? c.dim(text) : col === 5 ? statusColor(s.steps[r - 1].status, c)(text) : text,
  );
  const details = s.steps.flatMap((st) => [
    ...st.retries.map(
      (x) => `  ${c.dim('↻')} ${st.stepId} attempt ${x.attempt} failed: ${x.error} (retry in ${dur(x.delayMs)})`,
    ),
    ...(st.error ? [`  ${c.red('✖')} ${st.stepId}: ${st.error}`] : []),
    ...(st.outputs && Object.keys(st.outputs).length
      ? [`  ${c.dim('→')} ${st.stepId} outputs: ${clip(JSON.stringify(st.outputs))}`]
      : []),
  ]);
  const checks = s.checklist.map((x) => `  ${c.green('☑')} ${x.stepId}: ${x.text} — ${x.confirmedBy} at ${x.at}`);
  const decisions = s.decisions.map(
    (d) => `  ${c.yellow('!')} ${d.stepId}: ${d.decision} by ${d.by}${d.reason ? ` (${d.reason})` : ''}`,
  );
  return [c.bold('Timeline'), body, ...details, ...checks, ...decisions].join('\n');
}

/** Outputs include whole results (a response body, query rows): one line each, not pages. */
function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function phases(s: AuditSummary, c: Colors): string {
  if (s.phases.length === 0) return '';
  const rows = [['phase', 'measured', 'budget', '']];
  for (const p of s.phases) {
    const mark =
      p.status === 'ok' ? '✔' : p.status === 'over' ? '✖ over budget' : p.status === 'unfinished' ? 'unfinished' : '';
    rows.push([p.id, dur(p.durationMs), p.budgetMs === undefined ? '—' : dur(p.budgetMs), mark]);
  }
  const body = table(rows, (r, col, text) => {
    if (r === 0) return c.dim(text);
    const st = s.phases[r - 1].status;
    return col === 3 ? (st === 'ok' ? c.green(text) : st === 'over' ? c.red(text) : c.dim(text)) : text;
  });
  return [c.bold('Phases'), body].join('\n');
}

function approvals(s: AuditSummary, c: Colors): string {
  if (s.approvals.length === 0) return '';
  const lines = s.approvals.map((a) =>
    a.decision === 'granted'
      ? `  ${c.green('✔')} ${a.stepId}: approved by ${c.bold(a.approver ?? '?')} via ${a.source} at ${a.at}` +
        `${a.count !== undefined ? ` (${a.count}/${a.required})` : ''}${a.reference ? ` · ${a.reference}` : ''}${authenticity(a, c)}`
      : `  ${c.red('✖')} ${a.stepId}: refused${a.approver ? ` by ${c.bold(a.approver)}` : ''} via ${a.source} at ${a.at}: ${a.reason}`,
  );
  return [c.bold('Approvals'), ...lines].join('\n');
}

/** Whether a local approval was signed: an unverified one stands out. */
function authenticity(a: ApprovalSummary, c: Colors): string {
  const words = approvalAuthenticity(a);
  if (!words) return '';
  return ` · ${a.verified ? c.green(words) : `${c.yellow('UNVERIFIED')} (unsigned)`}`;
}

function rollback(s: AuditSummary, c: Colors): string {
  const r = s.rollback;
  if (!r) return '';
  const steps = r.steps.map(
    (x) =>
      `  ${x.status === 'succeeded' ? c.green('✔') : c.red('✖')} ${x.stepId} ${x.status}${x.error ? `: ${x.error}` : ''}`,
  );
  const left = r.notUndone?.length
    ? [`  ${c.red('✖')} not undone: ${r.notUndone.join(', ')} (${r.incompleteReason ?? r.status})`]
    : [];
  return [c.bold('Rollback') + ` at ${r.at}: ${r.reason}`, ...steps, `  ${r.status ?? 'unfinished'}`, ...left].join(
    '\n',
  );
}

/** The RPO as the run's probe reported it; a standby-only figure is called an estimate. */
function rpoLine(s: AuditSummary, c: Colors): string[] {
  const probe = rpoProbe(s);
  const objective = s.rpoObjectiveMs === undefined ? '' : ` against the objective ${dur(s.rpoObjectiveMs)}`;
  if (!probe)
    return s.rpoObjectiveMs === undefined
      ? []
      : [`  RPO objective ${dur(s.rpoObjectiveMs)} (not measured: no step reported rpoSeconds)`];
  const estimate =
    probe.source === 'standby'
      ? c.yellow(' — an ESTIMATE from the standby alone (primary unreachable or not asked)')
      : '';
  const met = s.rpoObjectiveMs === undefined ? ' ' : probe.ms <= s.rpoObjectiveMs ? c.green('✔') : c.red('✖');
  return [`  ${met} RPO ${dur(probe.ms)} (${probe.stepId})${objective}${estimate}`];
}

function outcome(s: AuditSummary, c: Colors): string {
  const o = s.outcome;
  const good = o.status === 'succeeded';
  const mark = good ? c.green('✔') : o.status === 'unfinished' || o.parked ? c.yellow('…') : c.red('✖');
  const lines = [
    c.bold('Outcome'),
    `  ${mark} ${o.parked ? parkedText(o.parked) : o.status}${o.durationMs !== undefined ? ` in ${dur(o.durationMs)}` : ''}${o.interruptedBy ? ` (interrupted by ${o.interruptedBy})` : ''}${o.error ? `: ${o.error}` : ''}`,
  ];
  const { rto } = s;
  const measured = rto.measuredMs === undefined ? 'not recovered' : `${dur(rto.measuredMs)} (${rto.source})`;
  if (rto.objectiveMs !== undefined) {
    lines.push(
      `  ${rto.met ? c.green('✔') : c.red('✖')} RTO ${measured} against the objective ${dur(rto.objectiveMs)}`,
    );
  } else if (rto.measuredMs !== undefined) {
    lines.push(`  recovery time ${measured}; no RTO objective`);
  }
  lines.push(...rpoLine(s, c));
  return lines.join('\n');
}
