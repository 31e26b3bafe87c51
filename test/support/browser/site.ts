/**
 * Where GitHub shows a page, and what a link's resolved URL points at. Two places show the pages
 * (issue 14, item 4), each under a made-up repository `o/r`, branch `main`:
 * - the repository browser: `/o/r/blob/main/generated/docs/<Page>.md`, where generated/docs is read
 *   as committed;
 * - the wiki: `/o/r/wiki/<Page>`, and the front page (Home) at `/o/r/wiki`, without a trailing
 *   slash, which is the URL GitHub serves it at (so a relative `Page` link there resolves to
 *   `/o/r/Page`, a 404).
 * Links are followed as the browser resolved them, and must reach a page of the set (and an anchor
 * on it), a repository file, or a generated workflow's Actions page.
 */
export type Scheme = 'repository' | 'wiki';

export const repository = '/o/r';
const blob = `${repository}/blob/main/`;
const docs = `${blob}generated/docs/`;
const wiki = `${repository}/wiki`;
const workflows = `${repository}/actions/workflows/`;

/** The URL path a page is served at. */
export function pagePath(scheme: Scheme, page: string): string {
  if (scheme === 'repository') return `${docs}${encodeURIComponent(page)}.md`;
  return page === 'Home' ? wiki : `${wiki}/${encodeURIComponent(page)}`;
}

/** The pages a link may reach (with their anchor ids), and the repository's files. */
export interface Site {
  readonly anchors: ReadonlyMap<string, ReadonlySet<string>>;
  /** Whether a repository path (`runbooks/x.yaml`, `.github/workflows/x.yml`) exists. */
  exists(path: string): boolean;
}

/** Why a same-origin URL leads nowhere, or undefined when it reaches something. */
export function targetProblem(url: URL, site: Site): string | undefined {
  const path = decodeURIComponent(url.pathname);
  let page: string | undefined;
  if (path === wiki || path === `${wiki}/`) page = 'Home';
  else if (path.startsWith(`${wiki}/`)) {
    page = path.slice(wiki.length + 1);
    // GitHub opens a wiki page's raw Markdown at `/wiki/Page.md`, not the page.
    if (page.endsWith('.md')) return `${path} is the raw Markdown of a wiki page, not the page`;
  } else if (path.startsWith(docs) && path.endsWith('.md')) page = path.slice(docs.length, -3);
  else if (path.startsWith(blob))
    return site.exists(path.slice(blob.length)) ? undefined : `no repository file ${path}`;
  else if (path.startsWith(workflows))
    return site.exists(`.github/workflows/${path.slice(workflows.length)}`) ? undefined : `no workflow ${path}`;
  else return `${path} is no page, repository file or workflow`;
  const ids = site.anchors.get(page);
  if (!ids) return `${path} is no page of the set (no ${page})`;
  if (!url.hash) return undefined;
  const id = decodeURIComponent(url.hash.slice(1));
  return ids.has(id) || ids.has(`user-content-${id}`) ? undefined : `page ${page} has no anchor #${id}`;
}
