import type { Root } from 'mdast';
import type { CompileResult } from '../../compile.js';
import { docName } from '../../load/loaded-doc.js';
import type { Metadata } from '../../model/specs.js';
import type { Emitter, GeneratedFile } from '../emitter.js';
import { checklistPage } from './checklist-page.js';
import { directoryPage } from './directory-page.js';
import { createDocsContext, graphPageSnapshot, type DocsContext, type GraphPagesPayload } from './docs-context.js';
import { homePage, type DocsIndex } from './home-page.js';
import * as names from './links.js';
import { serialise } from '../../../common/markdown/mdast-builders.js';
import { decodeText, startParallel } from '../../parallel/pool.js';
import { indicesIn, sharedListOf } from '../../parallel/share.js';
import { runbookPage } from './runbook-page.js';
import { libraryPage } from './library-page.js';
import { sidebarPage } from './sidebar.js';
import { templatePage } from './template-page.js';
import { drillPage, recordOfReport } from './drill-docs.js';
import { drillReportPage } from './drill-report-page.js';

export interface DocsEmitterOptions {
  /** How pages link to each other; see `links.ts` for why `'repository'` is the default. */
  readonly links?: names.LinkStyle;
}

/**
 * The wiki documentation emitter: `generated/docs/*.md`, flat file names for a GitHub wiki
 * (`Home`, `_Sidebar`, `Directory`, `Library`, `Runbook-*`, `BackupPlan-*`, `Checklist-*`, `Template-*`, `Drill-*`).
 * Every page is an mdast tree serialised once; output is byte-identical across runs.
 */
export function createDocsEmitter(options: DocsEmitterOptions = {}): Emitter {
  const style = options.links ?? 'repository';
  return {
    id: 'docs',
    docs: 'Markdown pages for the GitHub wiki: one per runbook, backup plan, checklist, template and drill report, the Directory, the Library (procedures by scenario), an index (Home) and a sidebar.',
    emit: (result) => emitDocs(result, style),
    folders: [names.docsDir],
    owns: (path) => path.startsWith(`${names.docsDir}/`),
  };
}

/** The emitter `runbook compile` runs (repository link style; `runbook wiki-export` makes the wiki copy). */
export const docsEmitter: Emitter = createDocsEmitter();

/** Below this many graph pages, building them on worker threads does not pay for itself. */
const minParallelPages = 48;

function emitDocs(result: CompileResult, style: names.LinkStyle): GeneratedFile[] {
  const ctx = createDocsContext(result, style);
  const index = docsIndex(ctx);
  const graphs = [...index.runbooks, ...index.backupPlans];
  // An incremental compile (compiler/cache/) hands back the pages of graphs that did not change.
  const pathOf = (g: (typeof graphs)[number]) => names.pagePath(names.graphPage(g));
  const reused = graphs.map((g) => result.memo?.reuseFile('docs', g, pathOf(g)));
  const todo = graphs.filter((_, i) => reused[i] === undefined);
  // Graph pages are nearly all of the work: with many of them, worker threads build them
  // (compiler/parallel) from the graphs and a snapshot of what a graph page looks up.
  const graphPages = startParallel<string>('graph-pages', todo.length, {
    minItems: minParallelPages,
    payload: (): GraphPagesPayload => ({
      snapshot: graphPageSnapshot(ctx, style, todo),
      graphs: sharedListOf(result.graphs),
      indices: indicesIn(result.graphs, todo),
    }),
    decode: decodeText,
  });
  // One page at a time: build its tree, serialise it, drop the tree. Only the Markdown text of
  // the pages is kept, never all the trees at once.
  const page = (name: string, root: Root): GeneratedFile => ({ path: names.pagePath(name), content: serialise(root) });
  const home = page(names.homePage, homePage(ctx, index));
  const sidebar = page(names.sidebarPage, sidebarPage(ctx, index));
  const directory = page(names.directoryPage, directoryPage(ctx));
  const library = page(names.libraryPage, libraryPage(ctx));
  const checklists = index.checklists.map((c) => page(names.checklistPage(c.name), checklistPage(ctx, c.doc)));
  const templates = index.templates.map((t) =>
    page(names.templatePage(t.name), templatePage(ctx, t.doc, ctx.result.context.templates.get(t.name)!.data)),
  );
  // drills: each report under drills/reports/ becomes `Drill-<run-id>`, so --check covers it too.
  const drills = ctx.result.drillReports.map((report) => {
    const record = recordOfReport(report.runId, ctx.result.drillRecords);
    const runbook = record ? ctx.runbook(record.runbook) : undefined;
    return page(
      drillPage(report.runId),
      drillReportPage(report, { links: ctx.links, ...(record ? { record } : {}), ...(runbook ? { runbook } : {}) }),
    );
  });
  const built = graphPages.finish((i) => serialise(runbookPage(ctx, todo[i])));
  let next = 0;
  const graphFiles = graphs.map((g, i): GeneratedFile => {
    const file = reused[i];
    if (file) return file; // as it is: its text is decoded only if read (compiler/cache/entry-file.ts)
    const content = built[next++];
    result.memo?.record('docs', g, pathOf(g), content);
    return { path: pathOf(g), content };
  });
  return [home, sidebar, directory, library, ...graphFiles, ...checklists, ...templates, ...drills].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
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
    checklists: context
      .valid('Checklist')
      .filter((d) => {
        const n = docName(d);
        return n !== undefined && ctx.result.project.byName('Checklist', n) === d;
      })
      .map(titled)
      .sort(byName),
    templates: [...context.templates.values()].map(({ doc }) => titled(doc)).sort(byName),
  };
}
