import type { Root, RootContent } from 'mdast';
import type { IrGraph } from '../../../ir/types.js';
import type { LoadedDoc } from '../../load/loaded-doc.js';
import type { Metadata } from '../../model/specs.js';
import { backupPlanOf, targetInline } from './backup-plan-section.js';
import { usersOf, type DocsContext } from './docs-context.js';
import { duration, none, rtoStatusAgainst } from './format.js';
import { checklistPage, directoryPage, graphPage, libraryPage, templatePage } from './links.js';
import {
  heading,
  inlineCode,
  joinInline,
  page,
  paragraph,
  table,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { drillHistorySection } from './drill-docs.js';
import { scheduleInline } from './schedule-inline.js';

/** What the docs index lists, computed once and shared with the sidebar. */
export interface DocsIndex {
  readonly runbooks: IrGraph[];
  readonly backupPlans: IrGraph[];
  readonly checklists: { name: string; title: string; doc: LoadedDoc }[];
  readonly templates: { name: string; title: string; doc: LoadedDoc }[];
}

/** `Home.md`: the index of every page, with the facts needed to pick a runbook under stress. */
export function homePage(ctx: DocsContext, index: DocsIndex): Root {
  return page([
    heading(1, 'Runbooks'),
    paragraph(
      'Disaster-recovery runbooks compiled from ',
      ctx.links.file('runbooks', inlineCode('runbooks/')),
      '. Contacts, roles and the notification matrix: ',
      ctx.links.to(directoryPage, 'Directory'),
      '. Procedures by scenario (region loss, data loss, …) with their objectives, last drill and CI coverage: ',
      ctx.links.to(libraryPage, 'Library'),
      '.',
    ),
    ...runbooksSection(ctx, index.runbooks),
    ...backupPlansSection(ctx, index.backupPlans),
    // drills: every drill record, newest first, linking the reports (nothing without records).
    ...drillHistorySection(ctx.result.drillRecords, {
      links: ctx.links,
      runbook: ctx.runbook,
      drills: ctx.drills,
      reports: new Set(ctx.result.drillReports.map((r) => r.runId)),
    }),
    ...docsSection(
      'Checklists',
      index.checklists,
      (c) => [
        ctx.links.to(checklistPage(c.name), c.title),
        String(c.doc.sections?.length ?? 0),
        String((c.doc.sections ?? []).reduce((n, s) => n + s.items.length, 0)),
        usedBy(ctx, usersOf(ctx, 'Checklist', c.name)),
      ],
      ['Checklist', 'Sections', 'Items', 'Used by'],
    ),
    ...docsSection(
      'Templates',
      index.templates,
      (t) => {
        const data = ctx.result.context.templates.get(t.name)?.data;
        return [
          ctx.links.to(templatePage(t.name), t.title),
          data?.channel ?? none,
          data?.subject !== undefined ? inlineCode(data.subject) : none,
          usedBy(ctx, usersOf(ctx, 'Template', t.name)),
        ];
      },
      ['Template', 'Channel', 'Subject', 'Sent by'],
    ),
    ...notShown(ctx),
  ]);
}

function usedBy(ctx: DocsContext, graphs: IrGraph[]): Inline {
  return graphs.length ? joinInline(graphs.map((g) => ctx.links.to(graphPage(g), g.name))) : none;
}

function runbooksSection(ctx: DocsContext, graphs: IrGraph[]): RootContent[] {
  if (!graphs.length) return [heading(2, 'Runbooks'), paragraph('No runbook compiled yet.')];
  return [
    heading(2, 'Runbooks'),
    table(
      [
        'Runbook',
        'Owner',
        'Tier',
        'RTO objective',
        'Expected (critical path)',
        'Worst case',
        'Status',
        'Phases',
        'Steps',
      ],
      graphs.map((g) => [
        ctx.links.to(graphPage(g), g.title),
        g.owner ? inlineCode(g.owner) : none,
        g.tier ?? none,
        duration(g.objectives.rtoMs),
        duration(g.rto.expectedMs),
        duration(g.rto.worstCaseMs),
        rtoStatusAgainst(g.rto.rtoMs, g.rto.status),
        String(g.phases.length),
        String(g.nodes.length),
      ]),
    ),
  ];
}

function backupPlansSection(ctx: DocsContext, graphs: IrGraph[]): RootContent[] {
  if (!graphs.length) return [];
  return [
    heading(2, 'Backup plans'),
    table(
      ['Backup plan', 'Owner', 'Schedule (cron, UTC)', 'Targets', 'RPO objective', 'Expected duration'],
      graphs.map((g) => {
        const spec = backupPlanOf(ctx, g.name);
        return [
          ctx.links.to(graphPage(g), g.title),
          g.owner ? inlineCode(g.owner) : none,
          g.schedule ? scheduleInline(g.schedule, g.name) : none,
          spec?.targets.length ? joinInline(spec.targets.map(targetInline)) : none,
          duration(g.objectives.rpoMs),
          duration(g.rto.expectedMs),
        ];
      }),
    ),
  ];
}

function docsSection<T>(title: string, items: T[], row: (item: T) => Inline[], header: string[]): RootContent[] {
  return items.length ? [heading(2, title), table(header, items.map(row))] : [];
}

/** Runbooks with errors have no graph and no page; the index says so rather than hiding them. */
function notShown(ctx: DocsContext): RootContent[] {
  const shown = new Set(ctx.result.graphs.map((g) => `${g.origin.kind}/${g.name}`));
  const missing = ctx.result.project.docs
    .filter((d) => d.kind === 'Runbook' || d.kind === 'BackupPlan')
    .map((d) => ({ kind: d.kind, name: (d.data.metadata as Metadata | undefined)?.name, file: d.file.path }))
    .filter((d) => typeof d.name === 'string' && !shown.has(`${d.kind}/${d.name}`))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (!missing.length) return [];
  return [
    heading(2, 'Not shown'),
    paragraph(
      'These documents have errors, so they have no page until ',
      inlineCode('runbook validate'),
      ' passes: ',
      joinInline(missing.map((m) => [inlineCode(m.name as string), ` (${m.file})`])),
      '.',
    ),
  ];
}
