import type { Link } from 'mdast';
import type { IrGraph } from '../../../ir/types.js';
import { link, type Inline } from '../../../common/markdown/mdast-builders.js';

/**
 * Page names and links between pages.
 *
 * GitHub wikis are flat (one namespace, no folders), so every page is a flat file name under
 * `generated/docs/`, prefixed by its kind so names of different kinds never collide:
 * `Runbook-<name>`, `BackupPlan-<name>`, `Checklist-<name>`, `Template-<name>`, `Directory`,
 * `Home`, `_Sidebar` (the two names GitHub wikis treat specially).
 *
 * Link style — what we found (GitHub issues orientechnologies/orientdb#3490, oppia/oppia#1026,
 * csf-dev/CSF.Screenplay#152, rusefi/rusefi_documentation#376, joyfullservice/msaccess-vcs-addin#300,
 * EWSoftware/SHFB#499): in a GitHub wiki a relative link *with* `.md` (`[x](Page.md)`) opens the
 * raw Markdown source of the page instead of the rendered page, while the extension-less form
 * (`[x](Page)`) opens the rendered page. In the repository file view it is the other way round:
 * links resolve as file paths, so `Page` is a 404 and `Page.md` works. No single relative form
 * works in both, and `[[Page]]` wiki links do not exist in the repository view at all (nor in
 * mdast, and their `|` breaks GFM tables).
 *
 * We therefore link with the extension-less page name by default (`'wiki'`): the pages are
 * written for the wiki, which is what people open during an incident, and it is the form wiki
 * sidebars use. (Caveat seen in javamelody/javamelody#1134: when Home is served at `/wiki`
 * without a trailing slash, GitHub has at times resolved relative links one level too high.)
 * The `'repository'` style (`.md` suffix) is for browsing the same files in the repository;
 * `createDocsEmitter({ links: 'repository' })` selects it.
 */
export type LinkStyle = 'wiki' | 'repository';

/** Where the docs pages are written. */
export const docsDir = 'generated/docs';

export const homePage = 'Home';
export const sidebarPage = '_Sidebar';
export const directoryPage = 'Directory';

/** A graph as a link target: enough for its page name and title. */
export type GraphRef = Pick<IrGraph, 'name' | 'title' | 'origin'>;

/** `Runbook-<name>` or `BackupPlan-<name>`: the graph's origin decides, so both can share a name. */
export function graphPage(graph: Pick<IrGraph, 'name' | 'origin'>): string {
  return `${graph.origin.kind}-${graph.name}`;
}

export function checklistPage(name: string): string {
  return `Checklist-${name}`;
}

export function templatePage(name: string): string {
  return `Template-${name}`;
}

/** The repository path of a page. */
export function pagePath(page: string): string {
  return `${docsDir}/${page}.md`;
}

/** Builds links in one style; every page builder gets one of these. */
export interface Linker {
  href(page: string, anchor?: string): string;
  to(page: string, ...label: Inline[]): Link;
}

export function createLinker(style: LinkStyle): Linker {
  const href = (page: string, anchor?: string): string =>
    `${encodeURI(page)}${style === 'repository' ? '.md' : ''}${anchor ? `#${anchor}` : ''}`;
  return {
    href,
    to: (page, ...label) => link(href(page), ...(label.length ? label : [page])),
  };
}

/**
 * The link to a generated workflow file (`runbook-<name>.yml`), where its "Run workflow" button
 * is. On the wiki (`/<owner>/<repo>/wiki/<Page>`) `../actions/workflows/<file>` is the workflow's
 * Actions page; in the repository view (`…/blob/<ref>/generated/docs/<Page>.md`) the file itself
 * is two folders up. The workflow is named by file so the link form can change here alone.
 */
export function workflowLink(file: string, style: LinkStyle = 'wiki'): string {
  return style === 'repository' ? `../../.github/workflows/${file}` : `../actions/workflows/${file}`;
}
