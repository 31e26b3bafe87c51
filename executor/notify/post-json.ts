import { delivery, type Delivery, type SendContext } from './delivery.js';

/**
 * Where a webhook goes, for people: scheme and host only. Webhook paths are credentials
 * (Slack, Teams, Discord put the token there), declared as a secret or not.
 */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * POSTs `payload` as JSON to `url` and turns the outcome into a delivery: 2xx is sent, anything
 * else (HTTP error, refused connection, timeout, a non-http URL) is failed with a reason that
 * names only the origin. Rethrows when the run itself aborts: that is not a delivery failure.
 */
export async function postJson(
  audience: string,
  channel: string,
  url: string,
  payload: unknown,
  ctx: SendContext,
): Promise<Delivery> {
  const origin = ctx.mask(webhookOrigin(url));
  if (!/^https?:$/.test(safeProtocol(url)))
    return delivery(audience, channel, 'failed', { reason: `not an http(s) URL: ${origin}` });
  const controller = new AbortController();
  const onAbort = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) throw ctx.signal.reason;
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new Error('timeout')), ctx.timeoutMs);
  try {
    const response = await ctx.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: controller.signal,
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) return delivery(audience, channel, 'sent', { httpStatus: response.status });
    return delivery(audience, channel, 'failed', {
      httpStatus: response.status,
      reason: `HTTP ${response.status} from ${origin}`,
    });
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const why = controller.signal.aborted
      ? `no response within ${ctx.timeoutMs} ms`
      : networkReason(error).split(url).join(origin);
    return delivery(audience, channel, 'failed', { reason: `POST ${origin} failed: ${ctx.mask(why)}` });
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}
