import type { RootContent } from 'mdast';
import { dryRunNotMeasured, type DrillRecord } from '../../../ir/drill-record.js';
import { formatDuration } from '../../../ir/duration.js';
import type { CompileResult } from '../../compile.js';
import { none } from './format.js';
import { graphPage, type GraphRef, type Linker } from './links.js';
import {
  heading,
  inlineCode,
  joinInline,
  paragraph,
  table,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { declaredEnvironments, drillIntervalOf, runbookDrills, type RunbookDrills } from '../../project/drill-facts.js';

/**
 * The wiki's view of drills: "Last drilled" on runbook pages, a runbook's drills, the history on
 * Home. Everything here is a function of the files (records, reports, runbooks), never of the
 * date the docs are built, so `compile --check` stays stable: instead of "overdue" the pages say
 * when the next drill is due, which readers compare with their own calendar.
 */

/** The wiki page of a drill report: `Drill-<run-id>` (flat, like every page name; links.ts). */
export function drillPage(runId: string): string {
  return `Drill-${runId}`;
}

/** A runbook's drill status plus the report page of each record that has one. Plain data. */
export interface DrillsView extends RunbookDrills {
  /** Run id → report page name. */
  readonly reportPages: Readonly<Record<string, string>>;
}

/** The view of every Runbook graph (by name, the first of a name), for its page and for Home. */
export function drillViews(result: CompileResult): Map<string, DrillsView> {
  const reports = new Set(result.drillReports.map((r) => r.runId));
  const directory = result.context.directory?.data.spec;
  const out = new Map<string, DrillsView>();
  // The same set the drill-freshness rule counts against: every environment a runbook declares.
  const declared = declaredEnvironments(result.graphs.map((g) => g.environment));
  for (const graph of result.graphs) {
    if (graph.origin.kind !== 'Runbook' || out.has(graph.name)) continue;
    const status = runbookDrills(
      graph.name,
      result.drillRecords,
      declared,
      drillIntervalOf(graph.tier, directory),
      graph.planHash,
    );
    out.set(graph.name, { ...status, reportPages: reportPagesOf(status.records, reports) });
  }
  return out;
}

/** A record's report page: the report named after its run id, else after its `report` path. */
function reportPagesOf(records: readonly DrillRecord[], reports: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of records) {
    const named = r.report.slice(r.report.lastIndexOf('/') + 1).replace(/\.md$/, '');
    const id = reports.has(r.runId) ? r.runId : reports.has(named) ? named : undefined;
    if (id) out[r.runId] = drillPage(id);
  }
  return out;
}

const day = (iso: string) => iso.slice(0, 10);
/** `2026-01-15 14:03 UTC`: records store UTC (ISO with Z); minutes are enough to tell drills apart. */
const when = (iso: string) => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const outcomes: Record<DrillRecord['status'], string> = {
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  'rolled-back': '↩️ rolled back',
  'rollback-incomplete': '⚠️ rollback incomplete',
  interrupted: '⏸️ interrupted',
  refused: '⛔ refused',
};

/** `✅ succeeded` … : the icon carries it on the wiki, the word in diffs (as format.ts does). */
export function outcomeOf(record: DrillRecord): string {
  return outcomes[record.status];
}

/** `live drill` or `dry-run drill`. */
export function kindOf(record: DrillRecord): string {
  return record.mode === 'live' ? 'live drill' : 'dry-run drill';
}

/** `production-drill`, `local (loopback demo)`, `not recorded`: a table cell, short on purpose. */
export function environmentOf(record: DrillRecord): string {
  const env = record.environment;
  if (!env) return 'not recorded';
  if (env.source === 'demo') return `${env.name ?? 'local'} (loopback demo)`;
  return env.name ?? 'none named';
}

/** Milliseconds to the second (a measured 754321 ms reads `12m34s`, not `12m34s321ms`). */
function measured(ms: number): string {
  return formatDuration(ms >= 1000 ? Math.round(ms / 1000) * 1000 : ms);
}

/**
 * `RTO 12m34s measured vs 1h objective ✅`, or what of it is known. A dry run's times are those of
 * plans, not of recovery: not measured, as its report says.
 */
export function objectiveText(
  label: 'RTO' | 'RPO',
  m: { objectiveMs?: number; measuredMs?: number; met?: boolean },
  mode: DrillRecord['mode'] = 'live',
): string {
  // A dry run measures nothing, whatever an older record says (dryRunNotMeasured: one wording everywhere).
  if (mode === 'dry-run') return `${label} ${dryRunNotMeasured}`;
  if (m.measuredMs === undefined) return `${label} not measured`;
  const icon = m.met === undefined ? '' : m.met ? ' ✅' : ' ❌';
  return m.objectiveMs === undefined
    ? `${label} ${measured(m.measuredMs)} measured (no objective)`
    : `${label} ${measured(m.measuredMs)} measured vs ${formatDuration(m.objectiveMs)} objective${icon}`;
}

function reportLink(links: Linker, page: string | undefined): Inline {
  return page ? links.to(page, 'report') : none;
}

/**
 * The Facts rows of a Runbook page: "Last drilled" (the newest record of any kind, or "Never
 * drilled") and, when the tier has a drill interval, when the next drill is due.
 */
export function drillFactRows(links: Linker, view: DrillsView | undefined): [string, Inline][] {
  const last = view?.records[0];
  const rows: [string, Inline][] = [
    [
      'Last drilled',
      last
        ? [
            `${day(last.endedAt)} (${outcomeOf(last)}, ${kindOf(last)} of ${environmentOf(last)}, ${objectiveText('RTO', last.rto, last.mode)})`,
            ...(view.reportPages[last.runId] ? [' — ', reportLink(links, view.reportPages[last.runId])] : []),
          ]
        : 'Never drilled',
    ],
  ];
  if (view?.interval) rows.push(['Drill freshness', freshness(links, view)]);
  return rows;
}

function freshness(links: Linker, view: DrillsView): Inline {
  const every = `every ${view.interval!.text} (tier ${view.interval!.tier})`;
  const success = view.lastSuccess;
  if (!success || !view.dueBy) return `${every}; due: no successful live drill against a declared environment yet`;
  const page = view.reportPages[success.runId];
  return [
    `${every}; last successful live drill ${day(success.endedAt)} (${environmentOf(success)})`,
    ...(page ? [' (', links.to(page, 'report'), ')'] : []),
    `, next due by ${day(view.dueBy)}`,
    view.stale ? '; ⚠️ changed since that drill' : '',
  ];
}

/** `## Drills` on a Runbook page: its records, newest first (nothing when it has none). */
export function runbookDrillsSection(links: Linker, view: DrillsView | undefined): RootContent[] {
  if (!view?.records.length) return [];
  return [
    heading(2, 'Drills'),
    paragraph(
      'Drill records from ',
      inlineCode('drills/records/'),
      ', newest first. Only successful live drills against an environment a runbook declares count for freshness (a loopback demo never does).',
    ),
    table(
      [
        'Date',
        'Kind',
        'Environment',
        'Outcome',
        'RTO measured vs objective',
        'RPO measured vs objective',
        'Faults',
        'Report',
      ],
      view.records.map((r) => [
        when(r.endedAt),
        kindOf(r),
        environmentOf(r),
        outcomeOf(r),
        objectiveText('RTO', r.rto, r.mode),
        objectiveText('RPO', r.rpo, r.mode),
        faults(r),
        reportLink(links, view.reportPages[r.runId]),
      ]),
    ),
  ];
}

function faults(r: DrillRecord): Inline {
  const entries = Object.entries(r.faults).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? joinInline(entries.map(([step, fault]) => inlineCode(`${step}=${fault}`))) : none;
}

/** What Home's history needs to link a runbook and find a record's report. */
export interface HistoryLookups {
  readonly links: Linker;
  runbook(name: string): GraphRef | undefined;
  drills(name: string): DrillsView | undefined;
  /** Run ids that have a report page (records of runbooks without a graph are looked up here). */
  readonly reports: ReadonlySet<string>;
}

/** `## Drill history` on Home: every record, newest first (nothing when there are none). */
export function drillHistorySection(records: readonly DrillRecord[], at: HistoryLookups): RootContent[] {
  if (!records.length) return [];
  const rows = [...records].reverse().map((r) => {
    const graph = at.runbook(r.runbook);
    const page = at.drills(r.runbook)?.reportPages[r.runId] ?? reportPagesOf([r], at.reports)[r.runId];
    return [
      when(r.endedAt),
      graph ? at.links.to(graphPage(graph), graph.title) : inlineCode(r.runbook),
      kindOf(r),
      environmentOf(r),
      outcomeOf(r),
      objectiveText('RTO', r.rto, r.mode),
      reportLink(at.links, page),
    ];
  });
  return [
    heading(2, 'Drill history'),
    paragraph(
      'Every drill recorded under ',
      inlineCode('drills/records/'),
      ', newest first (',
      inlineCode('runbook drill NAME'),
      ' writes them).',
    ),
    table(['Date', 'Runbook', 'Kind', 'Environment', 'Outcome', 'RTO measured vs objective', 'Report'], rows),
  ];
}

/** The record a report belongs to, for its page's header line. */
export function recordOfReport(runId: string, records: readonly DrillRecord[]): DrillRecord | undefined {
  return records.find((r) => r.runId === runId) ?? records.find((r) => r.report.endsWith(`/${runId}.md`));
}
