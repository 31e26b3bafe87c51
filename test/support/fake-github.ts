import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received, as the test may assert on it. */
export interface FakeRequest { method: string; path: string; query: Record<string, string>; body: unknown }
export interface FakeComment { id: number; issue: number; user: string; body: string; createdAt: number; edits: { at: number; body: string }[]; deletedAt?: number }
export interface FakeReview { id: number; pr: number; user: string; state: string; commitId: string; submittedAt: number }
export interface FakePull { number: number; author: string; headSha: string; mergeSha?: string; title: string }
export interface FakeIssue { number: number; title: string; body: string; user: string; createdAt: number; updatedAt: number; labels: string[]; state?: 'open' | 'closed'; stateReason?: string | null }

export interface FakeGithubOptions {
  token?: string;
  repository?: string; // `owner/repo` served; other repositories are 404
  pageSize?: number; // caps `per_page`, so that lists paginate in tests
  bot?: string; // login of the token's identity: comments created through the API are by it
  userEndpoint?: 'forbidden' | 'allowed'; // the Actions GITHUB_TOKEN cannot read GET /user (403)
  echoAuth?: boolean; // echo the Authorization header in 401 messages (proves the client masks it)
  maxRequests?: number; // a runaway poll loop fails fast instead of hanging the test
}

type Reply = [status: number, body?: unknown, headers?: Record<string, string>];
type Route = [method: string, pattern: RegExp, handle: (m: string[], q: Record<string, string>, body: Record<string, unknown>) => Reply];
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A loopback HTTP server playing the GitHub REST API for the endpoints executor/github uses, with
 * in-memory state the test sets up. Time is `now()` (overridable, e.g. tied to a FakeClock):
 * comments exist from their creation time, edits apply from theirs, deletions hide them.
 */
export class FakeGithub {
  readonly requests: FakeRequest[] = [];
  readonly users = new Map<string, { id: number; type: 'User' | 'Bot' }>();
  readonly pulls = new Map<number, FakePull>();
  readonly reviews: FakeReview[] = [];
  readonly teams = new Map<string, { id: number; members: Map<string, 'active' | 'pending'> }>();
  readonly issues = new Map<number, FakeIssue>();
  readonly comments: FakeComment[] = [];
  readonly environments = new Map<string, Record<string, unknown>>();
  readonly protection = new Map<string, Record<string, unknown>>();
  now: () => number = () => Date.now();
  url = '';
  private failures: Reply[] = [];
  private nextId = 5000;
  private readonly routes: Route[];
  private readonly o: Required<FakeGithubOptions>;

  constructor(private readonly server: ReturnType<typeof createServer>, options: FakeGithubOptions = {}) {
    this.o = { token: 'ghs_fake_token_0123456789', repository: 'acme/dr', pageSize: 100, bot: 'github-actions[bot]', userEndpoint: 'forbidden', echoAuth: false, maxRequests: 2000, ...options };
    this.user(this.o.bot, 'Bot');
    this.routes = this.buildRoutes();
  }

  get bot(): string { return this.o.bot; }

  /** The Actions environment pointing the real client at this server. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { GITHUB_TOKEN: this.o.token, GITHUB_REPOSITORY: this.o.repository, GITHUB_API_URL: this.url, GITHUB_SERVER_URL: 'https://github.example', GITHUB_RUN_ID: '4242', GITHUB_ACTOR: 'octo-initiator', ...extra };
  }
  user(login: string, type: 'User' | 'Bot' = 'User'): { id: number; type: 'User' | 'Bot' } {
    if (!this.users.has(login.toLowerCase())) this.users.set(login.toLowerCase(), { id: this.nextId++, type });
    return this.users.get(login.toLowerCase())!;
  }
  addPull(p: Omit<FakePull, 'title'> & { title?: string }): void {
    this.user(p.author);
    this.pulls.set(p.number, { title: `Run request #${p.number}`, ...p });
  }
  addReview(pr: number, user: string, state: string, commitId: string, at = this.now()): number {
    this.user(user);
    this.reviews.push({ id: this.nextId++, pr, user, state, commitId, submittedAt: at });
    return this.reviews.at(-1)!.id;
  }
  addTeam(slug: string, members: Record<string, 'active' | 'pending'>): void {
    for (const m of Object.keys(members)) this.user(m);
    this.teams.set(slug.toLowerCase(), { id: this.nextId++, members: new Map(Object.entries(members).map(([k, v]) => [k.toLowerCase(), v])) });
  }
  addComment(issue: number, user: string, body: string, at = this.now(), type: 'User' | 'Bot' = 'User'): FakeComment {
    this.user(user, type);
    // GitHub's ids grow with creation time; comments scheduled for later must get later ids.
    const c = { id: Math.floor(at / 1000) * 1000 + (this.nextId++ % 1000), issue, user, body, createdAt: at, edits: [] };
    this.comments.push(c);
    return c;
  }
  editComment(id: number, body: string, at = this.now()): void { this.comments.find((c) => c.id === id)!.edits.push({ at, body }); }
  deleteComment(id: number, at = this.now()): void { this.comments.find((c) => c.id === id)!.deletedAt = at; }
  /** The next `count` requests get a rate-limit 403 (`x-ratelimit-remaining: 0`, `retry-after`). */
  rateLimit(count = 1, kind: 'primary' | 'secondary' = 'primary'): void {
    const message = kind === 'primary' ? 'API rate limit exceeded for installation ID 1.' : 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    const headers = { 'x-ratelimit-remaining': kind === 'primary' ? '0' : '4000', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)), 'retry-after': '1' };
    for (let i = 0; i < count; i++) this.failures.push([403, { message, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }, headers]);
  }
  /** The next `count` requests fail with `status`. */
  failNext(count: number, status: number): void { for (let i = 0; i < count; i++) this.failures.push([status, { message: `fake failure ${status}` }]); }
  /** Comments of an issue as GitHub would list them now. */
  visibleComments(issue: number): (FakeComment & { current: string; updatedAt: number })[] {
    const t = this.now();
    return this.comments
      .filter((c) => c.issue === issue && c.createdAt <= t && !(c.deletedAt !== undefined && c.deletedAt <= t))
      .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)
      .map((c) => this.asOf(c, t));
  }
  private asOf(c: FakeComment, t: number): FakeComment & { current: string; updatedAt: number } {
    const edit = c.edits.filter((e) => e.at <= t).at(-1);
    return { ...c, current: edit?.body ?? c.body, updatedAt: edit?.at ?? c.createdAt };
  }
  close(): Promise<void> { this.server.closeAllConnections(); return new Promise((resolve) => this.server.close(() => resolve())); }

  private userJson(login: string) {
    const u = this.user(login);
    return { login, id: u.id, node_id: `U_${u.id}`, type: u.type, site_admin: false, url: `${this.url}/users/${login}`, html_url: `https://github.example/${login}` };
  }
  private pullJson(p: FakePull) {
    return {
      id: p.number + 900_000, number: p.number, state: p.mergeSha ? 'closed' : 'open', title: p.title, user: this.userJson(p.author),
      html_url: `https://github.example/${this.o.repository}/pull/${p.number}`, url: `${this.url}/repos/${this.o.repository}/pulls/${p.number}`,
      head: { ref: `run-request-${p.number}`, sha: p.headSha }, base: { ref: 'main', sha: '0'.repeat(40) },
      merged_at: p.mergeSha ? iso(this.now()) : null, merge_commit_sha: p.mergeSha ?? null,
    };
  }
  private commentJson(c: FakeComment & { current: string; updatedAt: number }) {
    const html = `https://github.example/${this.o.repository}/issues/${c.issue}#issuecomment-${c.id}`;
    return { id: c.id, node_id: `IC_${c.id}`, html_url: html, url: `${this.url}/repos/${this.o.repository}/issues/comments/${c.id}`, body: c.current, user: this.userJson(c.user), created_at: iso(c.createdAt), updated_at: iso(c.updatedAt), author_association: 'MEMBER' };
  }
  private issueJson(i: FakeIssue) {
    return { id: i.number + 800_000, number: i.number, title: i.title, body: i.body, state: i.state ?? 'open', state_reason: i.stateReason ?? null, user: this.userJson(i.user), labels: i.labels.map((name) => ({ name })), html_url: `https://github.example/${this.o.repository}/issues/${i.number}`, created_at: iso(i.createdAt), updated_at: iso(i.updatedAt) };
  }
  /** A page of `list` with GitHub's `Link` header. */
  private page(list: unknown[], q: Record<string, string>, path: string): Reply {
    const per = Math.min(Number(q.per_page ?? 30), 100, this.o.pageSize);
    const n = Number(q.page ?? 1);
    const last = Math.max(1, Math.ceil(list.length / per));
    const link = (p: number) => `<${this.url}${path}?${new URLSearchParams({ ...q, page: String(p) })}>`;
    const headers: Record<string, string> = n < last ? { link: `${link(n + 1)}; rel="next", ${link(last)}; rel="last"` } : {};
    return [200, list.slice((n - 1) * per, n * per), headers];
  }

  private buildRoutes(): Route[] {
    const R = `/repos/${this.o.repository}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const notFound: Reply = [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }];
    const exists = (n: number) => this.issues.has(n) || this.pulls.has(n);
    return [
      ['GET', /^\/user$/, () => (this.o.userEndpoint === 'allowed' ? [200, this.userJson(this.o.bot)] : [403, { message: 'Resource not accessible by integration' }])],
      ['GET', /^\/users\/([^/]+)$/, ([, l]) => (this.users.has(l.toLowerCase()) ? [200, this.userJson(l)] : notFound)],
      ['GET', /^\/orgs\/([^/]+)\/teams\/([^/]+)$/, ([, org, slug]) => {
        const t = this.teams.get(`${org}/${slug}`.toLowerCase());
        return t ? [200, { id: t.id, node_id: `T_${t.id}`, slug, name: slug, privacy: 'closed', url: `${this.url}/orgs/${org}/teams/${slug}` }] : notFound;
      }],
      ['GET', /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/, ([, org, slug, l]) => {
        const state = this.teams.get(`${org}/${slug}`.toLowerCase())?.members.get(l.toLowerCase());
        return state ? [200, { url: `${this.url}/orgs/${org}/teams/${slug}/memberships/${l}`, role: 'member', state }] : notFound;
      }],
      ['GET', new RegExp(`^${R}/commits/([0-9a-f]+)/pulls$`), ([, sha], q) => this.page([...this.pulls.values()].filter((p) => p.mergeSha === sha || p.headSha === sha).map((p) => this.pullJson(p)), q, `/repos/${this.o.repository}/commits/${sha}/pulls`)],
      ['GET', new RegExp(`^${R}/pulls/(\\d+)$`), ([, n]) => (this.pulls.has(+n) ? [200, this.pullJson(this.pulls.get(+n)!)] : notFound)],
      ['GET', new RegExp(`^${R}/pulls/(\\d+)/reviews$`), ([, n], q) => this.page(this.reviews.filter((r) => r.pr === +n).map((r) => ({
        id: r.id, node_id: `PRR_${r.id}`, user: this.userJson(r.user), body: '', state: r.state, commit_id: r.commitId, submitted_at: iso(r.submittedAt),
        html_url: `https://github.example/${this.o.repository}/pull/${n}#pullrequestreview-${r.id}`, pull_request_url: `${this.url}/repos/${this.o.repository}/pulls/${n}`, author_association: 'MEMBER',
      })), q, `/repos/${this.o.repository}/pulls/${n}/reviews`)],
      ['GET', new RegExp(`^${R}/issues/(\\d+)/comments$`), ([, n], q) => {
        if (!exists(+n)) return notFound;
        const since = q.since ? Date.parse(q.since) : -Infinity;
        return this.page(this.visibleComments(+n).filter((c) => c.updatedAt >= since).map((c) => this.commentJson(c)), q, `/repos/${this.o.repository}/issues/${n}/comments`);
      }],
      ['POST', new RegExp(`^${R}/issues/(\\d+)/comments$`), ([, n], _q, b) => {
        if (!exists(+n)) return notFound;
        const c = this.addComment(+n, this.o.bot, String(b.body), this.now(), 'Bot');
        return [201, this.commentJson({ ...c, current: c.body, updatedAt: c.createdAt })];
      }],
      ['PATCH', new RegExp(`^${R}/issues/comments/(\\d+)$`), ([, id], _q, b) => {
        const c = this.visibleComments(this.comments.find((x) => x.id === +id)?.issue ?? -1).find((x) => x.id === +id);
        if (!c) return notFound;
        this.editComment(+id, String(b.body));
        return [200, this.commentJson({ ...c, current: String(b.body), updatedAt: this.now() })];
      }],
      ['DELETE', new RegExp(`^${R}/issues/comments/(\\d+)$`), ([, id]) => (this.deleteComment(+id), [204])],
      ['POST', new RegExp(`^${R}/issues$`), (_m, _q, b) => {
        const number = Math.max(100, ...this.issues.keys(), ...this.pulls.keys()) + 1;
        const issue = { number, title: String(b.title), body: String(b.body ?? ''), user: this.o.bot, createdAt: this.now(), updatedAt: this.now(), labels: (b.labels as string[] | undefined) ?? [] };
        this.issues.set(number, issue);
        return [201, this.issueJson(issue)];
      }],
      // Issues by `labels` (comma-separated, all must match) and `state` (open by default, closed, all).
      ['GET', new RegExp(`^${R}/issues$`), (_m, q) => {
        const labels = (q.labels ?? '').split(',').filter(Boolean);
        const state = q.state ?? 'open';
        const hits = [...this.issues.values()].filter((i) => labels.every((l) => i.labels.includes(l)) && (state === 'all' || (i.state ?? 'open') === state));
        return this.page(hits.sort((a, b) => b.number - a.number).map((i) => this.issueJson(i)), q, `/repos/${this.o.repository}/issues`);
      }],
      ['GET', new RegExp(`^${R}/issues/(\\d+)$`), ([, n]) => (this.issues.has(+n) ? [200, this.issueJson(this.issues.get(+n)!)] : notFound)],
      ['PATCH', new RegExp(`^${R}/issues/(\\d+)$`), ([, n], _q, b) => {
        const i = this.issues.get(+n);
        if (!i) return notFound;
        // `state_reason` is "ignored unless `state` is changed" (GitHub's description of the endpoint).
        const state = b.state === 'open' || b.state === 'closed' ? b.state : undefined;
        const changed = state !== undefined && state !== (i.state ?? 'open');
        Object.assign(i, { ...(b.body !== undefined ? { body: String(b.body) } : {}), ...(changed ? { state, stateReason: (b.state_reason as string | undefined) ?? null } : {}), updatedAt: this.now() });
        return [200, this.issueJson(i)];
      }],
      ['PUT', new RegExp(`^${R}/environments/([^/]+)$`), ([, name], _q, b) => {
        this.environments.set(decodeURIComponent(name), b);
        return [200, { id: this.nextId++, name: decodeURIComponent(name), protection_rules: [{ type: 'required_reviewers', prevent_self_review: b.prevent_self_review, reviewers: b.reviewers }], deployment_branch_policy: b.deployment_branch_policy }];
      }],
      ['GET', new RegExp(`^${R}/branches/([^/]+)/protection$`), ([, br]) => {
        // Stored as the PUT body; served in GitHub's GET shape (objects where PUT takes names).
        const p = this.protection.get(decodeURIComponent(br)) as Record<string, any> | undefined;
        const named = (key: string, list?: string[]) => (list ?? []).map((v) => ({ [key]: v }));
        return p ? [200, {
          ...(p.required_status_checks ? { required_status_checks: { ...p.required_status_checks, checks: [] } } : {}),
          enforce_admins: { enabled: !!p.enforce_admins }, required_pull_request_reviews: p.required_pull_request_reviews,
          ...(p.restrictions ? { restrictions: { users: named('login', p.restrictions.users), teams: named('slug', p.restrictions.teams), apps: named('slug', p.restrictions.apps) } } : {}),
        }] : [404, { message: 'Branch not protected' }];
      }],
      ['PUT', new RegExp(`^${R}/branches/([^/]+)/protection$`), ([, br], _q, b) => (this.protection.set(decodeURIComponent(br), b), [200, { url: `${this.url}/repos/${this.o.repository}/branches/${br}/protection`, ...b }])],
    ];
  }

  /** Serves one request: records it, applies queued failures, checks the token, routes it. */
  handle(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: Record<string, unknown> = {};
    try { body = raw ? JSON.parse(raw) : {}; } catch { /* recorded as empty */ }
    this.requests.push({ method: req.method ?? 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams), body });
    const auth = req.headers.authorization ?? '';
    let reply: Reply = [404, { message: 'Not Found' }];
    if (this.requests.length > this.o.maxRequests) reply = [500, { message: 'fake-github: request budget exhausted' }];
    else if (this.failures.length) reply = this.failures.shift()!;
    else if (auth !== `token ${this.o.token}` && auth !== `bearer ${this.o.token}`) reply = [401, { message: this.o.echoAuth ? `Bad credentials (got ${auth})` : 'Bad credentials' }];
    else {
      for (const [method, pattern, handle] of this.routes) {
        const m = method === req.method ? pattern.exec(u.pathname) : null;
        if (m) { reply = handle([...m], Object.fromEntries(u.searchParams), body); break; }
      }
    }
    const [status, payload, headers = {}] = reply;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-github-request-id': `FAKE:${this.requests.length}`, ...headers });
    res.end(payload === undefined ? '' : JSON.stringify(payload));
  }
}

/** Starts a fake GitHub on 127.0.0.1 (random port); `close()` it after the test. */
export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0; // bounded: a body over 1 MB is refused, not buffered
    req.on('data', (c: Buffer) => { size += c.length; if (size <= 1_000_000) chunks.push(c); });
    req.on('end', () => (size > 1_000_000 ? (res.writeHead(413), res.end()) : fake.handle(req, Buffer.concat(chunks).toString('utf8'), res)));
  });
  server.requestTimeout = 10_000;
  const fake = new FakeGithub(server, options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Throttling groups that do not pace: tests keep the plugin's rate-limit retries, not its 1–3 s spacing of writes. */
const unpaced = { key: () => ({ schedule: (_opts: unknown, fn: (...a: unknown[]) => unknown, ...args: unknown[]) => Promise.resolve(fn(...args)) }) };
/** Client options for tests: unpaced writes, millisecond retry waits, a throttling id of its own. */
export const testClientOptions = (log?: (m: string) => void) => ({
  throttle: { id: `test-${Math.random()}`, retryAfterBaseValue: 1, write: unpaced, notifications: unpaced },
  retry: { retryAfterBaseValue: 1 },
  ...(log ? { log } : {}),
});
