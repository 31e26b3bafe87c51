import type { RootContent } from 'mdast';
import {
  heading,
  inlineCode,
  joinInline,
  list,
  paragraph,
  strong,
  table,
  type Inline,
} from '../../common/markdown/mdast-builders.js';
import {
  dryRunNotMeasured,
  environmentText,
  rpoIsEstimate,
  type DrillEnvironment,
  type DrillRecord,
} from '../../ir/drill-record.js';
import type { AuditSummary } from '../audit/summary.js';
import { day, dur, outcomeSentence, when } from './format.js';
import type { ObjectiveReport } from './objectives.js';

/** What the header sections need besides the summary: the drill record and display choices. */
export interface ReportContext {
  readonly drill: boolean;
  readonly title: string;
  readonly record?: DrillRecord;
  /** Injected faults, step id → fault: from the drill record, else from run:start. */
  readonly faults?: Readonly<Record<string, string>>;
  /** The target environment: from the drill record, else from run:start. */
  readonly environment?: DrillEnvironment;
}

/** `Drill report: <title> — <date>` and the table of facts a reviewer checks first. */
export function titleAndFacts(s: AuditSummary, ctx: ReportContext): RootContent[] {
  const started = ctx.record?.startedAt ?? s.startedAt;
  const ended = s.endedAt ?? ctx.record?.endedAt;
  const initiator = s.initiator ?? ctx.record?.initiator ?? s.actor;
  const rows: Inline[][] = [
    ['Run', inlineCode(s.runId)],
    ['Runbook', [inlineCode(s.runbook), ctx.title !== s.runbook ? ` — ${ctx.title}` : '']],
    ['Initiator', initiator !== s.actor ? `${initiator} (executed as ${s.actor})` : initiator],
    ['Started', when(started)],
    [
      'Ended',
      ended
        ? `${when(ended)}${s.outcome.durationMs !== undefined ? ` (after ${dur(s.outcome.durationMs)})` : ''}`
        : '— (the log ends before the run did)',
    ],
    ['Plan hash', inlineCode(s.planHash)],
    ['Commit', s.commit ? inlineCode(s.commit) : 'not recorded (local, uncommitted run)'],
    ['Mode', mode(s, ctx)],
    ['Environment', environmentText(ctx.environment)],
    ['Injected faults', faults(ctx)],
    ['Inputs', inputs(s.inputs)],
  ];
  return [
    heading(1, `${ctx.drill ? 'Drill' : 'Run'} report: ${ctx.title} — ${day(started)}`),
    table(['Fact', 'Value'], rows),
  ];
}

/** The objectives in one sentence: a dry run measured none of them, so it neither met nor missed any. */
function verdictOf(o: ObjectiveReport): string {
  if (o.dryRun)
    return `Objectives ${dryRunNotMeasured}: a dry run plans each action without its effect, so its times say nothing about recovery.`;
  if (o.missed.length) return `❌ Objectives missed: ${o.missed.join(', ')}.`;
  return o.rto.verdict.met ? '✅ Objectives met.' : '✅ No objective missed.';
}

function mode(s: AuditSummary, ctx: ReportContext): string {
  const dry = ctx.record ? ctx.record.mode === 'dry-run' : s.dryRun;
  return `${ctx.drill ? 'drill' : 'run'}, ${dry ? 'dry run (actions planned, no effects)' : 'live'}`;
}

function faults(ctx: ReportContext): Inline {
  if (!ctx.faults) return ctx.drill ? 'not recorded' : 'none';
  const entries = Object.entries(ctx.faults);
  if (entries.length === 0) return 'none';
  return joinInline(entries.map(([step, fault]) => [inlineCode(step), ` ${fault}`]));
}

function inputs(values: Record<string, unknown>): Inline {
  const entries = Object.entries(values);
  if (entries.length === 0) return 'none';
  // Already masked when audited: a secret input shows as *** here too.
  return joinInline(entries.map(([k, v]) => inlineCode(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)));
}

/**
 * The verdict first, in words and icons: the outcome, then which objectives were missed, then
 * the table behind it and the phases that overran their budgets.
 */
export function summarySection(s: AuditSummary, o: ObjectiveReport, ctx: ReportContext): RootContent[] {
  const kind = ctx.drill ? ('drill' as const) : ('run' as const);
  const rows: Inline[][] = [
    [
      'RTO',
      dur(o.rto.objectiveMs),
      o.dryRun ? '—' : o.rto.measuredMs === undefined ? 'not recovered' : dur(o.rto.measuredMs),
      o.rto.verdict.text,
    ],
    [
      'RPO',
      dur(o.rpo.objectiveMs),
      `${dur(o.rpo.measuredMs)}${rpoIsEstimate(o.rpo.source) ? ' (estimate)' : ''}`,
      o.rpo.verdict.text,
    ],
    ...o.phases.map((p): Inline[] => [
      ['Phase ', inlineCode(p.id)],
      dur(p.budgetMs),
      dur(p.durationMs),
      p.verdict.text,
    ]),
  ];
  const over = o.phases.filter((p) => p.verdict.met === false);
  return [
    heading(2, 'Summary'),
    paragraph(strong(outcomeSentence(s.outcome.status, kind)), ' ', verdictOf(o)),
    table(['Objective', 'Target', 'Measured', 'Result'], rows),
    over.length === 0
      ? paragraph(
          o.dryRun
            ? 'Phase budgets are not compared in a dry run.'
            : o.phases.some((p) => p.budgetMs !== undefined)
              ? 'No phase went over its budget.'
              : 'No phase has a time budget.',
        )
      : paragraph('Phases over budget:'),
    ...(over.length
      ? [
          list(
            over.map((p) => [
              inlineCode(p.id),
              `: ${dur(p.durationMs)} against a budget of ${dur(p.budgetMs)} (${p.verdict.text})`,
            ]),
          ),
        ]
      : []),
  ];
}
