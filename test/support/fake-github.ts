import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deniedAsNotFound, missing, permissionsFor, writeAll, type Grant } from './github-permissions.js';
import { protectionGetShape, type ProtectionPut } from './fake-github-protection.js';
import { documentedExample as ex, findOperation, requestBodyProblem, responseProblem } from './github-openapi.js';

/** One request the fake received, as the test may assert on it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  token?: 'main' | 'members';
  status?: number;
}
export interface FakeComment {
  id: number;
  issue: number;
  user: string;
  body: string;
  createdAt: number;
  edits: { at: number; body: string }[];
  deletedAt?: number;
}
export interface FakeReview {
  id: number;
  pr: number;
  user: string;
  state: string;
  commitId: string;
  submittedAt: number;
  body?: string;
}
export interface FakePull {
  number: number;
  author: string;
  headSha: string;
  mergeSha?: string;
  title: string;
}
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  user: string;
  createdAt: number;
  updatedAt: number;
  labels: string[];
  state?: 'open' | 'closed';
  stateReason?: string | null;
}

export interface FakeGithubOptions {
  token?: string;
  repository?: string; // `owner/repo` served; other repositories are 404
  pageSize?: number; // caps `per_page`, so that lists paginate in tests
  bot?: string; // login of the token's identity: comments created through the API are by it
  userEndpoint?: 'forbidden' | 'allowed'; // the Actions GITHUB_TOKEN cannot read GET /user (403)
  echoAuth?: boolean; // echo the Authorization header in 401 messages (proves the client masks it)
  maxRequests?: number; // a runaway poll loop fails fast instead of hanging the test
  /**
   * A second token that can read org team membership (a GitHub App installation token with the
   * organization permission Members: read). The main token cannot: see the memberships route.
   */
  membersToken?: string;
  /** Repository permission of users not given one with `permission()` (default `write`). */
  defaultPermission?: 'admin' | 'write' | 'read' | 'none';
  /** Seconds between a new comment's `created_at` and `updated_at` (GitHub sometimes sets them apart on creation). */
  createdUpdatedSkewS?: number;
  permissions?: Grant; // the token's permissions, as a job's `permissions:` block (default: everything)
}

type Reply = [status: number, body?: unknown, headers?: Record<string, string>];
type Route = [
  method: string,
  pattern: RegExp,
  handle: (m: string[], q: Record<string, string>, body: Record<string, unknown>) => Reply,
];
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
  readonly protection = new Map<string, ProtectionPut>(); // as PUT bodies; served in GET shape
  /** Departures from GitHub's REST description (unknown route, bad body, undocumented reply): `close()` rejects with them. */
  readonly violations: string[] = [];
  /** Calls refused for a permission the token lacks, as `METHOD path: scope level`. */
  readonly denied: string[] = [];
  /** Repository permission per login (lower-case); others have `defaultPermission`. */
  readonly permissions = new Map<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'>();
  /** Which token authenticated the request being served. */
  private caller: 'main' | 'members' = 'main';
  now: () => number = () => Date.now();
  url = '';
  private failures: Reply[] = [];
  private nextId = 5000;
  private readonly routes: Route[];
  private readonly o: Required<FakeGithubOptions>;

  constructor(
    private readonly server: ReturnType<typeof createServer>,
    options: FakeGithubOptions = {},
  ) {
    this.o = {
      token: 'ghs_fake_token_0123456789',
      repository: 'acme/dr',
      pageSize: 100,
      bot: 'github-actions[bot]',
      userEndpoint: 'forbidden',
      echoAuth: false,
      maxRequests: 2000,
      membersToken: '',
      defaultPermission: 'write',
      createdUpdatedSkewS: 0,
      permissions: writeAll,
      ...options,
    };
    this.user(this.o.bot, 'Bot');
    this.routes = this.buildRoutes();
  }

  get bot(): string {
    return this.o.bot;
  }

  /** The Actions environment pointing the real client at this server. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      GITHUB_TOKEN: this.o.token,
      GITHUB_REPOSITORY: this.o.repository,
      GITHUB_API_URL: this.url,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_RUN_ID: '4242',
      GITHUB_ACTOR: 'octo-initiator',
      ...extra,
    };
  }
  user(login: string, type: 'User' | 'Bot' = 'User'): { id: number; type: 'User' | 'Bot' } {
    if (!this.users.has(login.toLowerCase())) this.users.set(login.toLowerCase(), { id: this.nextId++, type });
    return this.users.get(login.toLowerCase())!;
  }
  addPull(p: Omit<FakePull, 'title'> & { title?: string }): void {
    this.user(p.author);
    this.pulls.set(p.number, { title: `Run request #${p.number}`, ...p });
  }
  addReview(pr: number, user: string, state: string, commitId: string, at = this.now(), body = ''): number {
    this.user(user);
    this.reviews.push({ id: this.nextId++, pr, user, state, commitId, submittedAt: at, body });
    return this.reviews.at(-1)!.id;
  }
  /** A review dismissed (PUT …/reviews/{id}/dismissals): GitHub then lists it with state DISMISSED. */
  dismissReview(id: number): void {
    this.reviews.find((r) => r.id === id)!.state = 'DISMISSED';
  }
  addTeam(slug: string, members: Record<string, 'active' | 'pending'>): void {
    for (const m of Object.keys(members)) this.user(m);
    this.teams.set(slug.toLowerCase(), {
      id: this.nextId++,
      members: new Map(Object.entries(members).map(([k, v]) => [k.toLowerCase(), v])),
    });
  }
  addComment(issue: number, user: string, body: string, at = this.now(), type: 'User' | 'Bot' = 'User'): FakeComment {
    this.user(user, type);
    // GitHub's ids grow with creation time; comments scheduled for later must get later ids.
    const c = {
      id: Math.floor(at / 1000) * 1000 + (this.nextId++ % 1000),
      issue,
      user,
      body,
      createdAt: at,
      edits: [],
    };
    this.comments.push(c);
    return c;
  }
  /** Sets a user's repository role (`maintain` reads as `write`, `triage` as `read`, as on GitHub). */
  permission(login: string, role: 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'): void {
    this.user(login);
    this.permissions.set(login.toLowerCase(), role);
  }
  editComment(id: number, body: string, at = this.now()): void {
    this.comments.find((c) => c.id === id)!.edits.push({ at, body });
  }
  deleteComment(id: number, at = this.now()): void {
    this.comments.find((c) => c.id === id)!.deletedAt = at;
  }
  /** Requests that count against the primary rate limit: all but 304s (see `conditional`). */
  billable(): FakeRequest[] {
    return this.requests.filter((r) => r.status !== 304);
  }
  /**
   * The next `count` requests get a rate-limit answer: primary, a 403 with `x-ratelimit-remaining:
   * 0`; secondary, a 403 or 429 with `retry-after` (docs.github.com/rest/using-the-rest-api/
   * rate-limits-for-the-rest-api, "Exceeding the rate limit": "you will receive a 403 or 429 response").
   */
  rateLimit(count = 1, kind: 'primary' | 'secondary' = 'primary', status: 403 | 429 = 403, retryAfterS = 1): void {
    const message =
      kind === 'primary'
        ? 'API rate limit exceeded for installation ID 1.'
        : 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    const headers = {
      'x-ratelimit-remaining': kind === 'primary' ? '0' : '4000',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)),
      'retry-after': String(retryAfterS),
    };
    for (let i = 0; i < count; i++)
      this.failures.push([
        status,
        { message, documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
        headers,
      ]);
  }
  /** The next `count` requests fail with `status`. */
  failNext(count: number, status: number): void {
    for (let i = 0; i < count; i++)
      this.failures.push([
        status,
        { message: `fake failure ${status}`, documentation_url: 'https://docs.github.com/rest' },
      ]);
  }
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
    return {
      ...c,
      current: edit?.body ?? c.body,
      updatedAt: edit?.at ?? c.createdAt + this.o.createdUpdatedSkewS * 1000,
    };
  }
  /** Stops the server; rejects when a request or reply departed from GitHub's REST description, so the test fails. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.violations.length)
      throw new Error(
        `fake GitHub: departures from GitHub's REST description:\n${[...new Set(this.violations)].join('\n')}`,
      );
  }

  // Each reply is GitHub's documented example with the fake's state laid over it, so it carries every field GitHub's does.
  private userJson(login: string) {
    const u = this.user(login);
    const api = `${this.url}/users/${encodeURIComponent(login)}`; // `[bot]` logins must be escaped to be URIs
    return {
      login,
      id: u.id,
      node_id: `U_${u.id}`,
      type: u.type,
      site_admin: false,
      url: api,
      html_url: `https://github.example/${encodeURIComponent(login)}`,
      avatar_url: `https://github.example/${encodeURIComponent(login)}.png`,
      gravatar_id: '',
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
    };
  }
  private publicUserJson(login: string) {
    return { ...ex('GET', '/users/x'), ...this.userJson(login), user_view_type: 'public' };
  }
  private pullJson(p: FakePull) {
    const e = ex('GET', '/repos/o/r/pulls/1');
    return {
      ...e,
      id: p.number + 900_000,
      number: p.number,
      state: p.mergeSha ? 'closed' : 'open',
      title: p.title,
      user: this.userJson(p.author),
      html_url: `https://github.example/${this.o.repository}/pull/${p.number}`,
      url: `${this.url}/repos/${this.o.repository}/pulls/${p.number}`,
      head: { ...e.head, ref: `run-request-${p.number}`, sha: p.headSha, user: this.userJson(p.author) },
      base: { ...e.base, ref: 'main', sha: '0'.repeat(40) },
      requested_reviewers: [],
      requested_teams: [],
      merged: !!p.mergeSha,
      merged_by: p.mergeSha ? this.userJson(p.author) : null,
      closed_at: p.mergeSha ? iso(this.now()) : null,
      merged_at: p.mergeSha ? iso(this.now()) : null,
      merge_commit_sha: p.mergeSha ?? null,
    };
  }
  private commentJson(c: FakeComment & { current: string; updatedAt: number }) {
    const html = `https://github.example/${this.o.repository}/issues/${c.issue}#issuecomment-${c.id}`;
    return {
      ...ex('GET', '/repos/o/r/issues/comments/1'),
      issue_url: `${this.url}/repos/${this.o.repository}/issues/${c.issue}`,
      id: c.id,
      node_id: `IC_${c.id}`,
      html_url: html,
      url: `${this.url}/repos/${this.o.repository}/issues/comments/${c.id}`,
      body: c.current,
      user: this.userJson(c.user),
      created_at: iso(c.createdAt),
      updated_at: iso(c.updatedAt),
      author_association: 'MEMBER',
    };
  }
  private issueJson(i: FakeIssue) {
    const labels = i.labels.map((name, k) => ({ ...ex('GET', '/repos/o/r/labels/x'), id: k + 1, name }));
    const { pull_request: _pr, pinned_comment: _pin, ...e } = ex('GET', '/repos/o/r/issues/1'); // the example is of a pull request's issue
    return {
      ...e,
      assignee: null,
      assignees: [],
      milestone: null,
      closed_by: null,
      comments: 0,
      url: `${this.url}/repos/${this.o.repository}/issues/${i.number}`,
      id: i.number + 800_000,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state ?? 'open',
      state_reason: i.stateReason ?? null,
      user: this.userJson(i.user),
      labels,
      html_url: `https://github.example/${this.o.repository}/issues/${i.number}`,
      created_at: iso(i.createdAt),
      updated_at: iso(i.updatedAt),
    };
  }
  /** Stored protection (the PUT body) in the shape GitHub serves it. */
  private protectionJson(br: string, p: ProtectionPut) {
    return protectionGetShape(p, {
      url: `${this.url}/repos/${this.o.repository}/branches/${br}/protection`,
      user: (l) => this.userJson(l),
    });
  }
  /** The permissions the token lacks for `operationId` (issue endpoints on a pull request need `pull-requests`). */
  private lacks(operationId: string, params: Record<string, string>) {
    const n = Number(params.issue_number ?? this.comments.find((c) => c.id === Number(params.comment_id))?.issue);
    // The members token stands for a GitHub App installation token with Members: read only.
    const grant: Grant = this.caller === 'members' ? { members: 'read' } : this.o.permissions;
    return missing(grant, permissionsFor({ operationId, onPull: this.pulls.has(n) }));
  }
  /** A page of `list` with GitHub's `Link` header. */
  private page(list: unknown[], q: Record<string, string>, path: string): Reply {
    const per = Math.min(Number(q.per_page ?? 30), 100, this.o.pageSize);
    const n = Number(q.page ?? 1);
    const last = Math.max(1, Math.ceil(list.length / per));
    const link = (p: number) => `<${this.url}${path}?${new URLSearchParams({ ...q, page: String(p) })}>`;
    const headers: Record<string, string> =
      n < last ? { link: `${link(n + 1)}; rel="next", ${link(last)}; rel="last"` } : {};
    return [200, list.slice((n - 1) * per, n * per), headers];
  }

  private buildRoutes(): Route[] {
    const R = `/repos/${this.o.repository}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const notFound: Reply = [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }];
    const exists = (n: number) => this.issues.has(n) || this.pulls.has(n);
    return [
      [
        'GET',
        /^\/user$/,
        () =>
          this.o.userEndpoint === 'allowed'
            ? [200, this.userJson(this.o.bot)]
            : [403, { message: 'Resource not accessible by integration' }],
      ],
      [
        'GET',
        /^\/users\/([^/]+)$/,
        ([, l]) => (this.users.has(l.toLowerCase()) ? [200, this.publicUserJson(l)] : notFound),
      ],
      [
        'GET',
        /^\/orgs\/([^/]+)\/teams\/([^/]+)$/,
        ([, org, slug]) => {
          const t = this.teams.get(`${org}/${slug}`.toLowerCase());
          const e = ex('GET', '/orgs/o/teams/t'); // GitHub's example lacks two fields its schema requires
          return t
            ? [
                200,
                {
                  ...e,
                  type: 'organization',
                  organization: { ...e.organization, archived_at: null },
                  id: t.id,
                  node_id: `T_${t.id}`,
                  slug,
                  name: slug,
                  privacy: 'closed',
                  url: `${this.url}/orgs/${org}/teams/${slug}`,
                },
              ]
            : notFound;
        },
      ],
      [
        'GET',
        /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/,
        ([, org, slug, l]) => {
          // "To get a user's membership with a team, the team must be visible to the authenticated
          // user" (GET /orgs/{org}/teams/{team_slug}/memberships/{username}, docs.github.com/rest/teams/members).
          // The Actions GITHUB_TOKEN has no organization Members permission: GitHub answers 404 for
          // members too (issue 11; e.g. srvaroa/labeler#160). Only the members-read token sees them.
          if (this.caller !== 'members') return notFound;
          const state = this.teams.get(`${org}/${slug}`.toLowerCase())?.members.get(l.toLowerCase());
          return state
            ? [200, { url: `${this.url}/orgs/${org}/teams/${slug}/memberships/${l}`, role: 'member', state }]
            : notFound;
        },
      ],
      [
        'GET',
        new RegExp(`^${R}/collaborators/([^/]+)/permission$`),
        ([, l]) => {
          // GET /repos/{owner}/{repo}/collaborators/{username}/permission: the legacy base role in
          // `permission` (maintain reads as write, triage as read), the real one in `role_name`;
          // needs only Metadata: read, which every GITHUB_TOKEN has (docs.github.com/rest/collaborators/collaborators).
          if (!this.users.has(l.toLowerCase())) return notFound;
          const role = this.permissions.get(l.toLowerCase()) ?? this.o.defaultPermission;
          const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
          return [
            200,
            {
              permission,
              role_name: role,
              user: {
                ...this.userJson(l),
                permissions: {
                  admin: role === 'admin',
                  maintain: ['admin', 'maintain'].includes(role),
                  push: ['admin', 'maintain', 'write'].includes(role),
                  triage: role !== 'read' && role !== 'none',
                  pull: role !== 'none',
                },
                role_name: role,
              },
            },
          ];
        },
      ],
      [
        'GET',
        new RegExp(`^${R}/commits/([0-9a-f]+)/pulls$`),
        ([, sha], q) =>
          this.page(
            [...this.pulls.values()]
              .filter((p) => p.mergeSha === sha || p.headSha === sha)
              .map((p) => this.pullJson(p)),
            q,
            `/repos/${this.o.repository}/commits/${sha}/pulls`,
          ),
      ],
      [
        'GET',
        new RegExp(`^${R}/pulls/(\\d+)$`),
        ([, n]) => (this.pulls.has(+n) ? [200, this.pullJson(this.pulls.get(+n)!)] : notFound),
      ],
      [
        'GET',
        new RegExp(`^${R}/pulls/(\\d+)/reviews$`),
        ([, n], q) =>
          this.page(
            this.reviews
              .filter((r) => r.pr === +n)
              .map((r) => ({
                ...ex('GET', '/repos/o/r/pulls/1/reviews/1'),
                id: r.id,
                node_id: `PRR_${r.id}`,
                user: this.userJson(r.user),
                body: r.body ?? '',
                state: r.state,
                commit_id: r.commitId,
                submitted_at: iso(r.submittedAt),
                html_url: `https://github.example/${this.o.repository}/pull/${n}#pullrequestreview-${r.id}`,
                pull_request_url: `${this.url}/repos/${this.o.repository}/pulls/${n}`,
                author_association: 'MEMBER',
              })),
            q,
            `/repos/${this.o.repository}/pulls/${n}/reviews`,
          ),
      ],
      [
        'GET',
        new RegExp(`^${R}/issues/(\\d+)/comments$`),
        ([, n], q) => {
          if (!exists(+n)) return notFound;
          const since = q.since ? Date.parse(q.since) : -Infinity;
          return this.page(
            this.visibleComments(+n)
              .filter((c) => c.updatedAt >= since)
              .map((c) => this.commentJson(c)),
            q,
            `/repos/${this.o.repository}/issues/${n}/comments`,
          );
        },
      ],
      [
        'POST',
        new RegExp(`^${R}/issues/(\\d+)/comments$`),
        ([, n], _q, b) => {
          if (!exists(+n)) return notFound;
          const c = this.addComment(+n, this.o.bot, String(b.body), this.now(), 'Bot');
          return [201, this.commentJson({ ...c, current: c.body, updatedAt: c.createdAt })];
        },
      ],
      [
        'PATCH',
        new RegExp(`^${R}/issues/comments/(\\d+)$`),
        ([, id], _q, b) => {
          const c = this.visibleComments(this.comments.find((x) => x.id === +id)?.issue ?? -1).find(
            (x) => x.id === +id,
          );
          if (!c) return notFound;
          this.editComment(+id, String(b.body));
          return [200, this.commentJson({ ...c, current: String(b.body), updatedAt: this.now() })];
        },
      ],
      ['DELETE', new RegExp(`^${R}/issues/comments/(\\d+)$`), ([, id]) => (this.deleteComment(+id), [204])],
      [
        'POST',
        new RegExp(`^${R}/issues$`),
        (_m, _q, b) => {
          const number = Math.max(100, ...this.issues.keys(), ...this.pulls.keys()) + 1;
          const issue = {
            number,
            title: String(b.title),
            body: String(b.body ?? ''),
            user: this.o.bot,
            createdAt: this.now(),
            updatedAt: this.now(),
            labels: (b.labels as string[] | undefined) ?? [],
          };
          this.issues.set(number, issue);
          return [201, this.issueJson(issue)];
        },
      ],
      // Issues by `labels` (comma-separated, all must match) and `state` (open by default, closed, all).
      [
        'GET',
        new RegExp(`^${R}/issues$`),
        (_m, q) => {
          const labels = (q.labels ?? '').split(',').filter(Boolean);
          const state = q.state ?? 'open';
          const hits = [...this.issues.values()].filter(
            (i) => labels.every((l) => i.labels.includes(l)) && (state === 'all' || (i.state ?? 'open') === state),
          );
          return this.page(
            hits.sort((a, b) => b.number - a.number).map((i) => this.issueJson(i)),
            q,
            `/repos/${this.o.repository}/issues`,
          );
        },
      ],
      [
        'GET',
        new RegExp(`^${R}/issues/(\\d+)$`),
        ([, n]) => (this.issues.has(+n) ? [200, this.issueJson(this.issues.get(+n)!)] : notFound),
      ],
      [
        'PATCH',
        new RegExp(`^${R}/issues/(\\d+)$`),
        ([, n], _q, b) => {
          const i = this.issues.get(+n);
          if (!i) return notFound;
          // `state_reason` is "ignored unless `state` is changed" (GitHub's description of the endpoint).
          const state = b.state === 'open' || b.state === 'closed' ? b.state : undefined;
          const changed = state !== undefined && state !== (i.state ?? 'open');
          Object.assign(i, {
            ...(b.body !== undefined ? { body: String(b.body) } : {}),
            ...(changed ? { state, stateReason: (b.state_reason as string | undefined) ?? null } : {}),
            updatedAt: this.now(),
          });
          return [200, this.issueJson(i)];
        },
      ],
      [
        'PUT',
        new RegExp(`^${R}/environments/([^/]+)$`),
        ([, name], _q, b) => {
          this.environments.set(decodeURIComponent(name), b);
          const e = ex('PUT', '/repos/o/r/environments/x');
          const reviewers = ((b.reviewers as { type: string; id: number }[] | undefined) ?? []).map((r) => ({
            type: r.type,
            reviewer: { id: r.id },
          }));
          return [
            200,
            {
              ...e,
              id: this.nextId++,
              name: decodeURIComponent(name),
              protection_rules: [
                {
                  id: this.nextId++,
                  node_id: 'GA_rule',
                  type: 'required_reviewers',
                  prevent_self_review: b.prevent_self_review,
                  reviewers,
                },
              ],
              deployment_branch_policy: b.deployment_branch_policy,
            },
          ];
        },
      ],
      [
        'GET',
        new RegExp(`^${R}/branches/([^/]+)/protection$`),
        ([, br]) => {
          const p = this.protection.get(decodeURIComponent(br));
          return p
            ? [200, this.protectionJson(br, p)]
            : [
                404,
                {
                  message: 'Branch not protected',
                  documentation_url: 'https://docs.github.com/rest/branches/branch-protection#get-branch-protection',
                },
              ];
        },
      ],
      [
        'PUT',
        new RegExp(`^${R}/branches/([^/]+)/protection$`),
        ([, br], _q, b) => (this.protection.set(decodeURIComponent(br), b), [200, this.protectionJson(br, b)]),
      ],
    ];
  }

  /** Which of the fake's tokens the Authorization header carries; false for none. */
  private authenticate(auth: string): boolean {
    const token = auth.replace(/^(token|bearer) /i, '');
    if (!auth || token === auth) return false;
    if (token === this.o.token) this.caller = 'main';
    else if (this.o.membersToken && token === this.o.membersToken) this.caller = 'members';
    else return false;
    return true;
  }

  /**
   * What GitHub answers before the route runs: 422 to a body its description refuses, 403 (404 for
   * org members) to a token without the permission; an unknown route or a bad body is a violation.
   */
  private gate(method: string, path: string, body: unknown, hasBody: boolean): Reply | undefined {
    const op = findOperation(method, path);
    const bad = op
      ? checked(() => requestBodyProblem(op, body, hasBody))
      : `${method} ${path}: no such route in GitHub's REST description`;
    if (bad) {
      this.violations.push(bad);
      return op
        ? [422, { message: 'Invalid request.', documentation_url: 'https://docs.github.com/rest' }]
        : [404, { message: 'Not Found' }];
    }
    let lacks: ReturnType<FakeGithub['lacks']> = [];
    // An operation missing from the permission table is a violation (add it with its source), not a hung request.
    try {
      lacks = this.lacks(op!.operationId, op!.params);
    } catch (error) {
      this.violations.push((error as Error).message);
    }
    if (!lacks.length) return undefined;
    this.denied.push(`${method} ${path}: ${lacks.map(([sc, l]) => `${sc} ${l}`).join(', ')}`);
    return lacks.some(([sc]) => deniedAsNotFound.has(sc))
      ? [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }]
      : [
          403,
          {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest',
            status: '403',
          },
        ];
  }
  /** The fake's own answer; a documented route it does not implement is a violation (the test must say what it needs). */
  private route(method: string, u: URL, body: Record<string, unknown>): Reply {
    for (const [m, pattern, handle] of this.routes) {
      const hit = m === method ? pattern.exec(u.pathname) : null;
      if (hit) return handle([...hit], Object.fromEntries(u.searchParams), body);
    }
    this.violations.push(
      `${method} ${u.pathname}: ${findOperation(method, u.pathname)?.operationId} is not implemented by the fake GitHub`,
    );
    return [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }];
  }
  /** Records a reply that does not match what GitHub documents for its status. */
  private checkReply(method: string, path: string, status: number, payload: unknown): void {
    const op = findOperation(method, path);
    const wrong = op && checked(() => responseProblem(op, status, payload));
    if (wrong) this.violations.push(`${method} ${path}: ${wrong}`);
  }

  /** Serves one request: records it, applies queued failures, checks the token, routes it. */
  handle(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: Record<string, unknown> = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      /* recorded as empty */
    }
    this.requests.push({
      method: req.method ?? 'GET',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      body,
    });
    const auth = req.headers.authorization ?? '';
    const authed = this.authenticate(auth);
    let reply: Reply;
    if (this.requests.length > this.o.maxRequests) reply = [500, { message: 'fake-github: request budget exhausted' }];
    else if (this.failures.length) reply = this.failures.shift()!;
    else if (!authed) reply = [401, { message: this.o.echoAuth ? `Bad credentials (got ${auth})` : 'Bad credentials' }];
    else
      reply = this.gate(req.method ?? 'GET', u.pathname, body, raw !== '') ?? this.route(req.method ?? 'GET', u, body);
    if (req.method === 'GET' && reply[0] === 200) reply = conditional(reply, req.headers['if-none-match']);
    const [status, payload, headers = {}] = reply;
    Object.assign(this.requests.at(-1)!, { status, ...(authed ? { token: this.caller } : {}) });
    // A 304 has no body to check (and GitHub's description does not list it for every GET).
    if (status !== 304) this.checkReply(req.method ?? 'GET', u.pathname, status, payload);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-github-request-id': `FAKE:${this.requests.length}`,
      ...headers,
    });
    res.end(payload === undefined ? '' : JSON.stringify(payload));
  }
}

/**
 * GitHub's conditional requests: a GET answer carries an `ETag`; the same GET sent again with
 * `If-None-Match: <that etag>` gets `304 Not Modified` and no body while nothing changed, and
 * such a 304 "does not count against your primary rate limit" (docs.github.com, "Best practices
 * for using the REST API", Use conditional requests if appropriate). GitHub sends weak ETags.
 */
function conditional(reply: Reply, ifNoneMatch: string | undefined): Reply {
  const [status, payload, headers = {}] = reply;
  // Over the body only: a full last page keeps its ETag when a next page appears (its Link changes).
  const etag = `W/"${createHash('sha256')
    .update(JSON.stringify(payload ?? null))
    .digest('hex')
    .slice(0, 32)}"`;
  // A 304 carries the ETag, not necessarily the Link header (RFC 9110 §15.4.5 lists what it must carry).
  if (
    ifNoneMatch &&
    ifNoneMatch
      .split(',')
      .map((t) => t.trim())
      .includes(etag)
  )
    return [304, undefined, { etag }];
  return [status, payload, { ...headers, etag }];
}

/** A validation that itself failed (e.g. a schema ajv cannot compile) is a departure too, not a hung request. */
function checked(validate: () => string | undefined): string | undefined {
  try {
    return validate();
  } catch (error) {
    return `validator failed: ${(error as Error).message}`;
  }
}

/** Starts a fake GitHub on 127.0.0.1 (random port); `close()` it after the test. */
export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0; // bounded: a body over 1 MB is refused, not buffered
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1_000_000) chunks.push(c);
    });
    req.on('end', () =>
      size > 1_000_000
        ? (res.writeHead(413), res.end())
        : fake.handle(req, Buffer.concat(chunks).toString('utf8'), res),
    );
  });
  server.requestTimeout = 10_000;
  const fake = new FakeGithub(server, options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Throttling groups that do not pace: tests keep the plugin's rate-limit retries, not its 1–3 s spacing of writes. */
const unpaced = {
  key: () => ({
    schedule: (_opts: unknown, fn: (...a: unknown[]) => unknown, ...args: unknown[]) => Promise.resolve(fn(...args)),
  }),
};
/** Client options for tests: unpaced writes, millisecond retry waits, a throttling id of its own. */
export const testClientOptions = (log?: (m: string) => void) => ({
  throttle: { id: `test-${Math.random()}`, retryAfterBaseValue: 1, write: unpaced, notifications: unpaced },
  retry: { retryAfterBaseValue: 1 },
  ...(log ? { log } : {}),
});
