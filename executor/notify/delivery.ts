import type { IrAudience } from '../../ir/types.js';

/** What one `notify` step sends: the rendered Template, secrets already masked. */
export interface NotifyMessage {
  readonly template: string;
  readonly subject?: string;
  readonly body: string;
  /** The body parsed as JSON when the Template is a JSON document (webhook payloads). */
  readonly json?: unknown;
  readonly drill: boolean;
}

/** The outcome for one audience and channel. `ok` is the schema's field: false only when failed. */
export interface Delivery {
  readonly audience: string;
  readonly channel: string;
  readonly status: 'sent' | 'skipped' | 'failed';
  readonly ok: boolean;
  readonly reason?: string;
  readonly httpStatus?: number;
  readonly error?: string;
}

/** What a channel sender may use: no access to the process beyond these. */
export interface SendContext {
  readonly fetch: typeof fetch;
  readonly signal: AbortSignal;
  /** Looks up a variable: the step `env` first, then the runner's environment. */
  env(name: string): string | undefined;
  /** Renders an audience's `webhook` (it may be a template such as `{{inputs.notify_webhook}}`). */
  render(template: string): string;
  mask(text: string): string;
  readonly timeoutMs: number;
}

/** Sends a message to one audience over one channel; never throws except when the run aborts. */
export type ChannelSender = (
  audienceId: string,
  audience: IrAudience,
  message: NotifyMessage,
  ctx: SendContext,
) => Promise<Delivery>;

/** A delivery record for `audience`/`channel`. */
export function delivery(
  audience: string,
  channel: string,
  status: Delivery['status'],
  extra: { reason?: string; httpStatus?: number } = {},
): Delivery {
  return {
    audience,
    channel,
    status,
    ok: status !== 'failed',
    ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
    ...(extra.httpStatus !== undefined ? { httpStatus: extra.httpStatus } : {}),
    ...(status === 'failed' && extra.reason !== undefined ? { error: extra.reason } : {}),
  };
}

/** Drill runs say so before anything else, so nobody mistakes a drill for an outage. */
export function tag(text: string, drill: boolean): string {
  return drill ? `[DRILL] ${text}` : text;
}
