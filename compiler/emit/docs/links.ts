import type { Link } from 'mdast';
import type { IrGraph } from '../../../ir/types.js';
import { link, type Inline } from '../../../common/markdown/mdast-builders.js';

/**
 * Page names and links between pages.
 *
 * GitHub wikis are flat (one namespace, no folders), so every page is a flat file name under
 * `generated/docs/`, prefixed by its kind so names of different kinds never collide:
 * `Runbook-<name>`, `BackupPlan-<name>`, `Checklist-<name>`, `Template-<name>`, `Directory`, `Library`,
 * `Home`, `_Sidebar` (the two names GitHub wikis treat specially).
 *
 * Two places show these pages, and no single relative link works in both (issue 14):
 * - The repository browser: `/OWNER/REPO/blob/BRANCH/generated/docs/Page.md`. Relative links
 *   resolve as file paths (GitHub "relative links in markup files", github.com/blog/1395: `[x](other_file.md)`
 *   becomes `user/repo/blob/branch/other_file.md`), so a page needs its `.md` file name.
 * - The wiki: `/OWNER/REPO/wiki/Page`, and the front page (Home) at `/OWNER/REPO/wiki` with no
 *   trailing slash, where a relative `Page` resolves to `/OWNER/REPO/Page` and 404s
 *   (javamelody/javamelody#1134, joyfullservice/msaccess-vcs-addin#374: "GitHub forces/redirects
 *   the user to .../repo-name/wiki instead of .../repo-name/wiki/Home"; GwynethLlewelyn/restbot#10).
 *   The sidebar is shown on the front page too, so its links break there the same way. `wiki/Page`
 *   works on the front page only (elsewhere it is `/wiki/wiki/Page`, as in ScoopInstaller/Scoop#4686), and
 *   `Page.md` opens the raw Markdown source on a wiki (oppia/oppia#1026).
 *
 * So `generated/docs` (committed, read in the repository and in reviews) links the
 * repository-browser way: `Page.md`, `Page.md#anchor`, repository files as `../../path`, and
 * GitHub pages of the repository (the Actions tab) as `../../../../actions/…` (from
 * `blob/BRANCH/generated/docs/`, four levels up is `/OWNER/REPO/`). The wiki copy is made at
 * publish time by `runbook wiki-export` (wiki-export.ts), which rewrites every internal link to a
 * root-relative `/OWNER/REPO/wiki/Page#anchor` (or `/OWNER/REPO/blob/BRANCH/path`): the same
 * target from `/wiki` and from `/wiki/Page`, because it does not depend on the page's URL. GitHub's
 * own `[[Label|Page]]` wiki links also work from both (docs.github.com "Editing wiki content",
 * "Adding links":
 * "`[[Link Text|WikiLink]]` … WikiLink is the name of your wiki page"), but they carry no anchor,
 * their `|` splits a GFM table cell (the pages are mostly tables; the
 * EverNife/EveryConfig wiki's authoring rules: "Never put a piped wiki-link inside a Markdown table"), their label is plain text, and
 * they mean nothing in the repository browser; the docs page itself says a Markdown link to a wiki
 * page uses "the full URL to your wiki page", which the root-relative path is, minus the host.
 */
/**
 * `'repository'` (the default; see above) or `'wiki'`, the bare page name, which works on
 * `/wiki/Page` but not on the wiki's front page: kept for embedding pages elsewhere, never published.
 */
export type LinkStyle = 'wiki' | 'repository';

/** Where the docs pages are written. */
export const docsDir = 'generated/docs';

export const homePage = 'Home';
export const sidebarPage = '_Sidebar';
export const directoryPage = 'Directory';
/** Every procedure by scenario (library-page.ts). */
export const libraryPage = 'Library';

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
  /** A repository file (`runbooks/x.yaml`), shown in the repository browser. */
  file(path: string, ...label: Inline[]): Link;
  /** A generated workflow's page in the Actions tab (`runbook-x.yml`): where a run is started. */
  workflow(file: string, ...label: Inline[]): Link;
}

export function createLinker(style: LinkStyle): Linker {
  const href = (page: string, anchor?: string): string =>
    `${encodeURI(page)}${style === 'repository' ? '.md' : ''}${anchor ? `#${anchor}` : ''}`;
  return {
    href,
    to: (page, ...label) => link(href(page), ...(label.length ? label : [page])),
    file: repoFileLink,
    workflow: workflowLink,
  };
}

/** From a page's folder (`blob/BRANCH/generated/docs/`) to the repository's root at that commit. */
const toRepositoryRoot = '../../';
/** …and to `/OWNER/REPO/` itself (two more levels: `blob/BRANCH/`), where the Actions tab is. */
const toRepositoryPages = '../../../../';

/** The href of a repository file from a docs page: `../../runbooks/x.yaml`. */
export function repoFileHref(path: string): string {
  return `${toRepositoryRoot}${encodeURI(path.replace(/^\.?\//, ''))}`;
}

/** A link to a repository file; the label defaults to the path. */
export function repoFileLink(path: string, ...label: Inline[]): Link {
  return link(repoFileHref(path), ...(label.length ? label : [path]));
}

/**
 * The href of a workflow's page in the Actions tab (`/OWNER/REPO/actions/workflows/<file>`, where
 * "Run workflow" is): `file` is the workflow's file name (`runbook-x.yml`) or its path.
 */
export function workflowHref(file: string): string {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return `${toRepositoryPages}actions/workflows/${encodeURIComponent(name)}`;
}

/** A link to a generated workflow's page in the Actions tab; the label defaults to the file name. */
export function workflowLink(file: string, ...label: Inline[]): Link {
  return link(workflowHref(file), ...(label.length ? label : [file.slice(file.lastIndexOf('/') + 1)]));
}
