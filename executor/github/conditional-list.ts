import { httpStatus, type GithubApi, type RepoRef } from './client.js';

/** One page as last answered: its ETag, its items, whether a next page followed. */
interface CachedPage {
  readonly etag: string;
  readonly items: readonly unknown[];
  readonly next: boolean;
}

/** What one conditional read cost and whether anything changed. */
export interface ConditionalRead<T> {
  readonly items: T[];
  /** True when every page answered 304: nothing changed since the last read. */
  readonly unchanged: boolean;
  /** Requests made (304s included). */
  readonly requests: number;
}

/**
 * Reads every page of an issue's comments with conditional requests: each page's `ETag` is kept
 * and sent back as `If-None-Match`, and a `304 Not Modified` reuses the page kept. GitHub: "Making
 * a conditional request does not count against your primary rate limit if a 304 response is
 * returned and the request was made while correctly authorized with an Authorization header"
 * (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate),
 * so a gate polling a quiet thread costs nothing against GITHUB_TOKEN's hourly budget. Pages are
 * followed through the `Link` header's `rel="next"`, whatever page size the server caps at.
 */
export function conditionalCommentReader(octokit: GithubApi, repo: RepoRef, issueNumber: number) {
  return conditionalListReader((p) => octokit.issues.listComments({ ...repo, issue_number: issueNumber, ...p }));
}

/** One page of a GitHub list, asked with the given query and headers. */
export type ListPage = (p: {
  per_page: number;
  page: number;
  since?: string;
  headers: Record<string, string>;
  request: { signal?: AbortSignal };
}) => Promise<{ headers: { etag?: string; link?: string }; data: readonly unknown[] }>;

/** conditionalCommentReader for any paginated list (a pull request's reviews too). */
export function conditionalListReader(list: ListPage) {
  const pages = new Map<string, CachedPage>();
  return async <T>(query: { since?: string; signal?: AbortSignal } = {}): Promise<ConditionalRead<T>> => {
    const items: T[] = [];
    let unchanged = true;
    let requests = 0;
    let fullPage = 0;
    for (let page = 1; ; page++) {
      const key = `${query.since ?? ''}#${page}`;
      const cached = pages.get(key);
      requests++;
      const got = await fetchPage(
        list,
        { per_page: 100, page, ...(query.since ? { since: query.since } : {}) },
        cached,
        query.signal,
      );
      if (!cached || !got.etag || got.etag !== cached.etag) unchanged = false;
      if (got.etag) pages.set(key, got);
      items.push(...(got.items as T[]));
      fullPage = Math.max(fullPage, got.items.length);
      if (got.next) continue;
      // A last page that is full may have gained a successor while its own body (and so its
      // ETag) stayed the same: look at the next page too; an empty one answers 304 from then on.
      if (got.items.length === 0 || got.items.length < fullPage) break;
    }
    return { items, unchanged, requests };
  };
}

async function fetchPage(
  list: ListPage,
  params: { per_page: number; page: number; since?: string },
  cached: CachedPage | undefined,
  signal?: AbortSignal,
): Promise<CachedPage> {
  try {
    const r = await list({
      ...params,
      headers: cached ? { 'if-none-match': cached.etag } : {},
      request: { signal },
    });
    return { etag: r.headers.etag ?? '', items: r.data, next: /rel="next"/.test(r.headers.link ?? '') };
  } catch (error) {
    // Octokit reports a 304 as an error; it means the kept page is current.
    if (httpStatus(error) === 304 && cached) {
      const link = (error as { response?: { headers?: Record<string, string> } }).response?.headers?.link;
      return link === undefined ? cached : { ...cached, next: /rel="next"/.test(link) };
    }
    throw error;
  }
}
