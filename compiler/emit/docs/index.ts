import type { Root } from 'mdast';
import type { CompileResult } from '../../compile.js';
import { docName } from '../../load/loaded-doc.js';
import type { Metadata } from '../../model/specs.js';
import type { Emitter, GeneratedFile } from '../emitter.js';
import { checklistPage } from './checklist-page.js';
import { directoryPage } from './directory-page.js';
import type { DocsContext } from './docs-context.js';
import { homePage, type DocsIndex } from './home-page.js';
import * as names from './links.js';
import { serialise } from './mdast-builders.js';
import { runbookPage } from './runbook-page.js';
import { sidebarPage } from './sidebar.js';
import { templatePage } from './template-page.js';

export interface DocsEmitterOptions {
  /** How pages link to each other; see `links.ts` for why `'wiki'` is the default. */
  readonly links?: names.LinkStyle;
}

/**
 * The wiki documentation emitter: `generated/docs/*.md`, flat file names for a GitHub wiki
 * (`Home`, `_Sidebar`, `Directory`, `Runbook-*`, `BackupPlan-*`, `Checklist-*`, `Template-*`).
 * Every page is an mdast tree serialised once; output is byte-identical across runs.
 */
export function createDocsEmitter(options: DocsEmitterOptions = {}): Emitter {
  const style = options.links ?? 'wiki';
  return {
    id: 'docs',
    docs: 'Markdown pages for the GitHub wiki: one per runbook, backup plan, checklist and template, the Directory, an index (Home) and a sidebar.',
    emit: (result) => emitDocs(result, style),
    owns: (path) => path.startsWith(`${names.docsDir}/`),
  };
}

/** The emitter `runbook compile` runs (wiki link style). */
export const docsEmitter: Emitter = createDocsEmitter();

function emitDocs(result: CompileResult, style: names.LinkStyle): GeneratedFile[] {
  const ctx: DocsContext = {
    result,
    links: names.createLinker(style),
    ...(result.context.directory ? { directory: result.context.directory.data.spec } : {}),
  };
  const index = docsIndex(ctx);
  const pages: [string, Root][] = [
    [names.homePage, homePage(ctx, index)],
    [names.sidebarPage, sidebarPage(ctx, index)],
    [names.directoryPage, directoryPage(ctx)],
    ...[...index.runbooks, ...index.backupPlans].map((g): [string, Root] => [names.graphPage(g), runbookPage(ctx, g)]),
    ...index.checklists.map((c): [string, Root] => [names.checklistPage(c.name), checklistPage(ctx, c.doc)]),
    ...index.templates.map((t): [string, Root] => [
      names.templatePage(t.name), templatePage(ctx, t.doc, ctx.result.context.templates.get(t.name)!.data),
    ]),
  ];
  return pages
    .map(([page, root]) => ({ path: names.pagePath(page), content: serialise(root) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Everything that gets a page, sorted by name. */
function docsIndex(ctx: DocsContext): DocsIndex {
  const { graphs, context } = ctx.result;
  const titled = (doc: Parameters<typeof docName>[0]) => {
    const meta = doc.data.metadata as Metadata;
    return { name: meta.name, title: meta.title ?? meta.name, doc };
  };
  return {
    runbooks: graphs.filter((g) => g.origin.kind === 'Runbook').sort(byName),
    backupPlans: graphs.filter((g) => g.origin.kind === 'BackupPlan').sort(byName),
    // Only the first of a duplicated name (the one `byName` finds); the duplicate is an error anyway.
    checklists: context.valid('Checklist')
      .filter((d) => { const n = docName(d); return n !== undefined && ctx.result.project.byName('Checklist', n) === d; })
      .map(titled).sort(byName),
    templates: [...context.templates.values()].map(({ doc }) => titled(doc)).sort(byName),
  };
}
