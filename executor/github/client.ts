import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { RunRefused } from '../core/errors.js';
import { SecretMasker } from '../core/secrets.js';

/** Octokit with the REST methods: every GitHub function in this folder takes one of these. */
export type GithubApi = Octokit;

/** `owner/repo` split, as every repository endpoint wants it. */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/** What `githubClient` reads from the environment, plus the client itself. */
export interface GithubContext {
  readonly octokit: GithubApi;
  readonly repo: RepoRef;
  readonly apiUrl: string;
  readonly run: {
    readonly id?: string;
    readonly actor?: string;
    readonly serverUrl: string;
    /** Link to the Actions run, when GITHUB_RUN_ID is set. */
    readonly url?: string;
  };
  /** Masks the token; use it for anything that prints GitHub errors. */
  readonly masker: SecretMasker;
  /**
   * A client for org team membership, from RUNBOOK_GITHUB_MEMBERS_TOKEN (e.g. a GitHub App
   * installation token with the organization permission Members: read): GITHUB_TOKEN cannot read
   * teams. Absent without that variable; the Directory's compiled membership then decides.
   */
  readonly membersOctokit?: GithubApi;
  /** The login whose comments are the workflow's own (plan comments, sticky comments, anchors). */
  readonly bot: string;
}

/** Tuning of the client; the defaults are what production wants. */
export interface GithubClientOptions {
  /** Where rate-limit warnings go (default: stderr). Never receives the token. */
  readonly log?: (message: string) => void;
  /** Retries after a primary or secondary rate limit (default 2). */
  readonly rateLimitRetries?: number;
  /**
   * Overrides for @octokit/plugin-throttling (`id`, `retryAfterBaseValue`, pacing groups…).
   * Tests use it to shrink waits; production leaves GitHub's recommended pacing alone.
   */
  readonly throttle?: Record<string, unknown>;
  /** Overrides for @octokit/plugin-retry (`retries`, `retryAfterBaseValue`). */
  readonly retry?: { readonly retries?: number; readonly retryAfterBaseValue?: number };
}

// Retry first, throttling second: throttling then wraps the request outermost-but-one and
// handles 403/429 rate limits itself, while retry covers 5xx and network errors.
const GithubOctokit = Octokit.plugin(retry, throttling);

/**
 * A GitHub client configured from the Actions environment, so the same code runs in a workflow
 * and against a test server: GITHUB_TOKEN (required), GITHUB_REPOSITORY (`owner/repo`,
 * required), GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_RUN_ID, GITHUB_ACTOR. Throws RunRefused
 * when a required variable is missing or malformed. Errors thrown by the client have the token
 * masked, because they end up in logs and audit records.
 */
export function githubClient(env: NodeJS.ProcessEnv = process.env, options: GithubClientOptions = {}): GithubContext {
  const token = env.GITHUB_TOKEN?.trim();
  if (!token) {
    throw new RunRefused(
      'GITHUB_TOKEN is not set',
      'in Actions pass `env: { GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} }`; locally export a token with repo access',
    );
  }
  const repo = parseRepository(env.GITHUB_REPOSITORY);
  const apiUrl = (env.GITHUB_API_URL?.trim() || 'https://api.github.com').replace(/\/+$/, '');
  const serverUrl = (env.GITHUB_SERVER_URL?.trim() || 'https://github.com').replace(/\/+$/, '');
  const membersToken = env.RUNBOOK_GITHUB_MEMBERS_TOKEN?.trim() || undefined;
  const masker = new SecretMasker(membersToken ? [token, membersToken] : [token]);
  const octokit = makeOctokit(token, apiUrl, masker, options);
  const runId = env.GITHUB_RUN_ID?.trim() || undefined;
  const actor = env.GITHUB_ACTOR?.trim() || undefined;
  return {
    octokit,
    repo,
    apiUrl,
    masker,
    bot: botLogin(env),
    ...(membersToken ? { membersOctokit: makeOctokit(membersToken, apiUrl, masker, options) } : {}),
    run: {
      serverUrl,
      ...(runId ? { id: runId, url: `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId}` } : {}),
      ...(actor ? { actor } : {}),
    },
  };
}

/**
 * The one bot identity whose comments the tool trusts and takes over: RUNBOOK_GITHUB_BOT (a GitHub
 * App's `<slug>[bot]` when the workflow posts with an App token), else `github-actions[bot]`, the
 * author of everything posted with the Actions GITHUB_TOKEN. It is configured, not asked: GET
 * /user answers 403 to installation tokens ("Resource not accessible by integration").
 */
export function botLogin(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNBOOK_GITHUB_BOT?.trim() || 'github-actions[bot]';
}

function makeOctokit(token: string, apiUrl: string, masker: SecretMasker, options: GithubClientOptions): GithubApi {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const say = (m: string) => log(masker.mask(m));
  const maxRetries = options.rateLimitRetries ?? 2;
  const octokit = new GithubOctokit({
    auth: token,
    baseUrl: apiUrl,
    userAgent: 'runbook-as-code',
    // @octokit/rest logs every request at info and every failed one at error; callers get the
    // errors anyway, and an expected 404 (not a team member) is not worth a line in the run log.
    log: { debug: () => {}, info: () => {}, warn: say, error: () => {} },
    // 429 is a secondary rate limit: left to the throttling plugin, which waits `retry-after`
    // ("you should not retry your request until after that many seconds has elapsed",
    // docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api); plugin-retry would
    // retry it at once on its own schedule. 304 is an answer (a conditional read), not a failure.
    retry: { doNotRetry: [304, 400, 401, 403, 404, 410, 422, 429, 451], ...options.retry },
    throttle: {
      onRateLimit: (after: number, o: { method: string; url: string }, _k: unknown, count: number) => {
        say(
          `GitHub rate limit hit on ${o.method} ${o.url}; ${count < maxRetries ? `retrying in ${after}s` : 'giving up'}`,
        );
        return count < maxRetries;
      },
      onSecondaryRateLimit: (after: number, o: { method: string; url: string }, _k: unknown, count: number) => {
        say(
          `GitHub secondary rate limit on ${o.method} ${o.url}; ${count < maxRetries ? `retrying in ${after}s` : 'giving up'}`,
        );
        return count < maxRetries;
      },
      ...options.throttle,
    },
  });
  // Outermost hook: sees the final error after retries, and masks the token in its message.
  octokit.hook.error('request', (error) => {
    if (error instanceof Error) error.message = masker.mask(error.message);
    const response = (error as { response?: { data?: unknown } }).response;
    if (response?.data !== undefined) response.data = masker.maskDeep(response.data);
    throw error;
  });
  return octokit;
}

/** `owner/repo` → RepoRef; RunRefused when absent or not of that form. */
export function parseRepository(value: string | undefined): RepoRef {
  const text = value?.trim() ?? '';
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(text);
  if (!m) {
    throw new RunRefused(
      text ? `GITHUB_REPOSITORY must be "owner/repo", got ${JSON.stringify(text)}` : 'GITHUB_REPOSITORY is not set',
      'Actions sets it; locally export GITHUB_REPOSITORY=owner/repo',
    );
  }
  return { owner: m[1], repo: m[2] };
}

/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function httpStatus(error: unknown): number | undefined {
  const s = (error as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}
