import { parseDuration } from '../../ir/duration.js';
import { ActionError } from '../core/errors.js';
import type { ActionDefinition } from './action.js';

/** `with` of `http.check` (schemas/actions/http.check.schema.json), rendered. */
export type HttpCheckParams = {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Record<string, unknown> | unknown[];
  /** A status, a list, or the rendering of a template: `"200"`, `"200,204"`, `"[200,204]"`. */
  expectStatus?: number | number[] | string;
  expectBody?: string;
  /** A duration (`10s`) or milliseconds. */
  timeout?: string | number;
};

export type HttpCheckResult = {
  status: number;
  latencyMs: number;
  body: string;
  headers: Record<string, string>;
  json: unknown;
};

/** Characters of the response body read and kept (the rest is not downloaded). */
export const BODY_LIMIT = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * `http.check`: one request; fails (retryable, so `retry:` can wait for a recovering service)
 * unless the status is accepted and the body matches `expectBody`. The body is matched before
 * masking and returned masked. Latency runs until the (bounded) body has arrived.
 */
export const httpCheckAction: ActionDefinition<HttpCheckParams, HttpCheckResult> = {
  id: 'http.check',
  async run(params, ctx) {
    const method = (params.method ?? 'GET').toUpperCase();
    const shown = `${method} ${displayUrl(params.url, (t) => ctx.secrets.mask(t))}`;
    const accept = statusMatcher(params.expectStatus);
    const timeoutMs = durationMs(params.timeout, DEFAULT_TIMEOUT_MS);
    const { url, init: request } = requestInit(method, params);

    const controller = new AbortController();
    const onAbort = () => controller.abort(ctx.signal.reason);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    const started = performance.now();
    let response: Response;
    let raw: string;
    try {
      response = await ctx.services.fetch(url, { ...request, signal: controller.signal, redirect: 'follow' });
      raw = await readBounded(response, BODY_LIMIT);
    } catch (error) {
      // The run's own abort (step timeout, cancel) is the scheduler's business, not a check failure.
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const why = controller.signal.aborted ? `no response within ${timeoutMs} ms` : networkReason(error);
      // Error texts may quote the URL; the quoted copy must be as redacted as ours.
      const safe = displayUrl(why.split(params.url).join(displayUrl(params.url, (t) => t)), (t) => ctx.secrets.mask(t));
      const socketCode = (error as { cause?: { code?: unknown } })?.cause?.code;
      const providerCode = typeof socketCode === 'string' ? { providerCode: socketCode } : {};
      throw new ActionError(`${shown} failed: ${safe}`, { code: 'network', ...providerCode, cause: error });
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
    const latencyMs = Math.round(performance.now() - started);
    const body = ctx.secrets.mask(raw);
    ctx.log.info(`${shown} → ${response.status} in ${latencyMs} ms`);

    if (!accept.test(response.status)) {
      throw new ActionError(`${shown} returned ${response.status}, expected ${accept.text}${excerpt(body)}`, {
        code: 'http-status',
        providerCode: String(response.status),
      });
    }
    if (params.expectBody !== undefined && !bodyRegex(params.expectBody).test(raw)) {
      throw new ActionError(
        `${shown} returned ${response.status} but the body does not match /${ctx.secrets.mask(params.expectBody)}/${excerpt(body)}`,
        {
          code: 'http-body',
        },
      );
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = ctx.secrets.mask(value)));
    return { status: response.status, latencyMs, body, headers, json: ctx.secrets.maskDeep(parseJson(raw)) };
  },
  plan(params, ctx) {
    const mask = (t: string) => ctx.secrets.mask(t);
    const method = (params.method ?? 'GET').toUpperCase();
    const url = displayUrl(params.url, mask);
    return {
      summary: `${method} ${url}, expect ${statusMatcher(params.expectStatus).text}`,
      calls: [
        {
          target: 'http',
          operation: method,
          args: {
            url,
            ...(params.headers ? { headers: redactHeaders(params.headers, mask) } : {}),
            ...(params.body !== undefined ? { body: ctx.secrets.maskDeep(params.body) } : {}),
            ...(params.expectBody !== undefined ? { expectBody: mask(params.expectBody) } : {}),
            timeoutMs: durationMs(params.timeout, DEFAULT_TIMEOUT_MS),
          },
        },
      ],
    };
  },
};

/**
 * fetch refuses URLs with credentials; like curl, `https://user:pass@host` becomes Basic auth
 * (unless the step sets its own Authorization header).
 */
function requestInit(method: string, params: HttpCheckParams): { url: string; init: RequestInit } {
  const headers = new Headers(params.headers ?? {});
  let url = params.url;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed && (parsed.username || parsed.password)) {
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    if (!headers.has('authorization'))
      headers.set('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
    parsed.username = '';
    parsed.password = '';
    url = parsed.href;
  }
  let body: string | undefined;
  if (typeof params.body === 'string') body = params.body;
  else if (params.body !== undefined) {
    body = JSON.stringify(params.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  return { url, init: { method, headers, ...(body !== undefined ? { body } : {}) } };
}

/** Reads at most `limit` characters, then cancels the download. */
async function readBounded(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (text.length >= limit) {
      await reader.cancel().catch(() => undefined);
      return text.slice(0, limit);
    }
  }
  return text + decoder.decode();
}

/** `expectStatus` as a test plus its description; default any 2xx. */
export function statusMatcher(expect: HttpCheckParams['expectStatus']): {
  test: (status: number) => boolean;
  text: string;
} {
  if (expect === undefined || expect === '') return { test: (s) => s >= 200 && s < 300, text: '2xx' };
  const list =
    typeof expect === 'number'
      ? [expect]
      : Array.isArray(expect)
        ? expect
        : expect
            .replace(/[[\]\s]/g, '')
            .split(',')
            .map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 100 || n > 599)) {
    throw new ActionError(`expectStatus must be status codes, got ${JSON.stringify(expect)}`, {
      code: 'bad-params',
    });
  }
  return { test: (s) => list.includes(s), text: list.join(' or ') };
}

function bodyRegex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new ActionError(`expectBody is not a valid regular expression: ${(error as Error).message}`, {
      code: 'bad-params',
    });
  }
}

function durationMs(value: string | number | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined || !(ms > 0))
    throw new ActionError(`invalid timeout ${JSON.stringify(value)}`, { code: 'bad-params' });
  return ms;
}

/** undici reports "fetch failed" and puts the reason (ECONNREFUSED, certificate…) in `cause`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code || cause?.message) return [cause.code, cause.message].filter(Boolean).join(': ');
  return error instanceof Error ? error.message : String(error);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function excerpt(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return '';
  return `: ${trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed}`;
}

/** A URL for messages: secrets masked and any password in it replaced, declared secret or not. */
export function displayUrl(url: string, mask: (text: string) => string): string {
  return mask(url.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/gi, '$1:***@'));
}

const sensitiveHeader = /authorization|cookie|token|secret|password|api-?key/i;

/** Header values for a plan: masked, and credentials-bearing headers hidden whole. */
function redactHeaders(headers: Record<string, string>, mask: (text: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, sensitiveHeader.test(k) ? '***' : mask(v)]));
}
