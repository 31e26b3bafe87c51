import type { Root, RootContent } from 'mdast';
import type { LoadedDoc } from '../../load/loaded-doc.js';
import type { Metadata } from '../../model/specs.js';
import { usersOf, type DocsContext } from './docs-context.js';
import { graphPage } from './links.js';
import {
  heading,
  inlineCode,
  joinInline,
  markdownBlocks,
  page,
  paragraph,
  strong,
  taskList,
} from '../../../common/markdown/mdast-builders.js';
import { itemInline } from './step-details.js';

/**
 * A Checklist's page: its sections as GFM task lists (`- [ ] item`), every box unchecked — the
 * page is the blank form; a run records who confirmed what. Items bound to a check step say so.
 */
export function checklistPage(ctx: DocsContext, doc: LoadedDoc): Root {
  const meta = doc.data.metadata as Metadata;
  const users = usersOf(ctx, 'Checklist', meta.name);
  const sections = doc.sections ?? [];
  const bound = sections.flatMap((s) => s.items).filter((i) => i.check !== undefined).length;
  return page([
    heading(1, meta.title ?? meta.name),
    ...markdownBlocks(meta.description),
    paragraph(
      strong('Checklist'),
      ' ',
      inlineCode(meta.name),
      ' · source ',
      inlineCode(doc.file.path),
      meta.owner ? [' · owner ', inlineCode(meta.owner)] : '',
    ),
    paragraph(
      strong('Used by:'),
      ' ',
      users.length ? joinInline(users.map((g) => ctx.links.to(graphPage(g), g.title))) : 'no runbook yet',
      bound
        ? ` · ${bound} item${bound === 1 ? ' is' : 's are'} confirmed automatically by a check step of the running runbook.`
        : '',
    ),
    ...sections.flatMap((section): RootContent[] => [
      heading(2, section.title),
      taskList(section.items.map((item) => itemInline(item.text, item.check))),
    ]),
  ]);
}
