import type { Root, RootContent } from 'mdast';
import type { DirectorySpec, Metadata } from '../../model/specs.js';
import { contactCells, contactHeader, rolesTable } from './contacts.js';
import type { DocsContext } from './docs-context.js';
import { none, sortedEntries, yesNo } from './format.js';
import { graphPage } from './links.js';
import {
  heading,
  inlineCode,
  joinInline,
  markdownBlocks,
  page,
  paragraph,
  table,
  type Inline,
} from '../../../common/markdown/mdast-builders.js';
import { scheduleInline } from './schedule-inline.js';

/** Header of the stakeholder notification matrix (one row per severity × audience). */
export const matrixHeader = ['Severity', 'Audience', 'Notify within', 'Channels', 'Update every'];

/**
 * `Directory.md`: people, teams, roles, tiers, audiences, the notification matrix by severity and
 * the drill calendar. Maps are sorted by id (severities by level) so the page does not depend on
 * the order the YAML was written in.
 */
export function directoryPage(ctx: DocsContext): Root {
  const dir = ctx.directory ?? {};
  const meta = ctx.result.context.directory?.data.metadata as Metadata | undefined;
  return page([
    heading(1, meta?.title ?? 'Directory'),
    ...markdownBlocks(meta?.description),
    ...(ctx.directory ? [] : [paragraph('The tree has no (valid) Directory document.')]),
    ...sourceParagraph(ctx),
    ...section('People', sortedEntries(dir.people).length > 0, () =>
      table(
        ['Id', ...contactHeader],
        sortedEntries(dir.people).map(([id, p]) => [inlineCode(id), ...contactCells(p, id)]),
      ),
    ),
    ...section('Teams', sortedEntries(dir.teams).length > 0, () => teamsTable(dir)),
    ...section('Roles', sortedEntries(dir.roles).length > 0, () => rolesTable(dir)),
    ...section('Recovery tiers', sortedEntries(dir.tiers).length > 0, () =>
      table(
        ['Tier', 'RTO', 'RPO', 'Drill interval', 'Description'],
        sortedEntries(dir.tiers).map(([id, t]) => [
          inlineCode(id),
          t.rto ?? none,
          t.rpo ?? none,
          t.drillInterval ?? none,
          t.description ?? none,
        ]),
      ),
    ),
    ...section('Audiences', sortedEntries(dir.audiences).length > 0, () => audiencesTable(dir)),
    ...section('Severity levels', sortedEntries(dir.severities).length > 0, () =>
      table(
        ['Severity', 'Level', 'Title', 'Description'],
        severities(dir).map(([id, s]) => [inlineCode(id), String(s.level), s.title ?? none, s.description ?? none]),
      ),
    ),
    ...section('Stakeholder notification matrix', sortedEntries(dir.severities).length > 0, () => matrixTable(dir)),
    ...section('Drill calendar', (dir.drills ?? []).length > 0, () => drillsTable(ctx, dir)),
  ]);
}

/** Where the page comes from, linked: contacts change there, by pull request, never on the wiki. */
function sourceParagraph(ctx: DocsContext): RootContent[] {
  const source = ctx.result.context.directory?.doc.file.path;
  if (!source) return [];
  return [paragraph('Source: ', ctx.links.file(source, inlineCode(source)), ' (change it by pull request).')];
}

function section(title: string, present: boolean, body: () => RootContent): RootContent[] {
  return present ? [heading(2, title), body()] : [];
}

function names(dir: DirectorySpec, ids: readonly string[] | undefined): Inline {
  return ids?.length ? joinInline(ids.map((id) => dir.people?.[id]?.name ?? id)) : none;
}

function teamsTable(dir: DirectorySpec): RootContent {
  return table(
    ['Team', 'Name', 'GitHub', 'Slack', 'Members'],
    sortedEntries(dir.teams).map(([id, t]) => [
      inlineCode(id),
      t.name ?? none,
      t.github ? inlineCode(t.github) : none,
      t.slack ?? none,
      names(dir, t.members),
    ]),
  );
}

function audiencesTable(dir: DirectorySpec): RootContent {
  return table(
    ['Audience', 'Description', 'Channels', 'Teams', 'People', 'External', 'Slack channel'],
    sortedEntries(dir.audiences).map(([id, a]) => [
      inlineCode(id),
      a.description ?? none,
      a.channels?.length ? a.channels.join(', ') : none,
      a.teams?.length ? joinInline(a.teams.map((t) => inlineCode(t))) : none,
      names(dir, a.people),
      yesNo(a.external),
      a.slackChannel ?? none,
    ]),
  );
}

/** Severities by level (sev1 first), then id. */
function severities(dir: DirectorySpec) {
  return sortedEntries(dir.severities).sort(([, a], [, b]) => a.level - b.level);
}

/** One row per severity × audience: within how long, through which channels, how often to update. */
function matrixTable(dir: DirectorySpec): RootContent {
  const rows = severities(dir).flatMap(([id, s]) =>
    (s.notify ?? []).map((n): Inline[] => [
      [inlineCode(id), s.title ? ` ${s.title}` : ''],
      inlineCode(n.audience),
      n.within ?? none,
      n.channels?.length ? n.channels.join(', ') : (dir.audiences?.[n.audience]?.channels?.join(', ') ?? none),
      n.updateEvery ?? none,
    ]),
  );
  return table(matrixHeader, rows);
}

function drillsTable(ctx: DocsContext, dir: DirectorySpec): RootContent {
  return table(
    ['Runbook', 'Schedule (cron, UTC)', 'Mode', 'Inputs'],
    (dir.drills ?? []).map((d) => {
      const graph = ctx.runbook(d.runbook);
      const inputs = sortedEntries(d.inputs);
      return [
        graph ? ctx.links.to(graphPage(graph), graph.title) : inlineCode(d.runbook),
        scheduleInline(d.schedule, d.runbook),
        d.live ? 'live' : 'dry run',
        inputs.length
          ? joinInline(inputs.map(([k, v]) => inlineCode(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)))
          : none,
      ];
    }),
  );
}
