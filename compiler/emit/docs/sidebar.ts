import type { BlockContent, Root } from 'mdast';
import type { DocsContext } from './docs-context.js';
import type { DocsIndex } from './home-page.js';
import { checklistPage, directoryPage, graphPage, homePage, libraryPage, templatePage } from './links.js';
import { list, page, paragraph, strong, type Inline } from '../../../common/markdown/mdast-builders.js';

/** `_Sidebar.md`: the wiki's navigation, the same links as Home as a nested list. */
export function sidebarPage(ctx: DocsContext, index: DocsIndex): Root {
  const group = (title: string, links: Inline[]): BlockContent[][] =>
    links.length ? [[paragraph(strong(title)), list(links)]] : [];
  return page([
    list([
      ctx.links.to(homePage, 'Home'),
      ctx.links.to(libraryPage, 'Library'),
      ...group(
        'Runbooks',
        index.runbooks.map((g) => ctx.links.to(graphPage(g), g.title)),
      ),
      ...group(
        'Backup plans',
        index.backupPlans.map((g) => ctx.links.to(graphPage(g), g.title)),
      ),
      ...group(
        'Checklists',
        index.checklists.map((c) => ctx.links.to(checklistPage(c.name), c.title)),
      ),
      ...group(
        'Templates',
        index.templates.map((t) => ctx.links.to(templatePage(t.name), t.title)),
      ),
      ctx.links.to(directoryPage, 'Directory'),
    ]),
  ]);
}
