import type { IrAudience, IrGraph, IrTemplate } from '../../ir/types.js';
import { ActionError } from '../core/errors.js';
import { delivery, type Delivery, type NotifyMessage, type SendContext } from '../notify/delivery.js';
import { webhookOrigin } from '../notify/post-json.js';
import { relayEnvName } from '../notify/send-relay.js';
import { SLACK_WEBHOOK_ENV } from '../notify/send-slack.js';
import { escaperOf, formatOfChannel, type TextFormat } from '../notify/escape-text.js';
import { channelSenders } from '../notify/senders.js';
import type { ActionContext, ActionDefinition, PlanContext } from './action.js';

/** `with` of `notify` (schemas/actions/notify.schema.json), rendered. */
export type NotifyParams = {
  template: string;
  audience?: string[];
  vars?: Record<string, unknown>;
  channels?: string[];
};

export type NotifyResult = { deliveries: Delivery[] };

const SEND_TIMEOUT_MS = 10_000;

/**
 * `notify`: renders a Template (subject and body, with `vars`) and sends it to each audience over
 * each of its channels (senders in executor/notify/). Drill runs prefix "[DRILL] " and never
 * reach `external` audiences or send `customerFacing` Templates (skipped, reason "drill").
 * Outgoing text is masked: a secret that slipped into a message goes out as `***`.
 * Any failed delivery fails the step (retryable); a retry re-sends to every audience, including
 * those that already got it: a duplicate message is better than a missing one.
 */
export const notifyAction: ActionDefinition<NotifyParams, NotifyResult> = {
  id: 'notify',
  formatParams: ['vars'],
  async run(params, ctx) {
    const { template, targets } = resolve(params, ctx.services.graph);
    // One rendering per text format: values are escaped for Slack or GitHub Markdown, the
    // Template's and the runbook's own text is not.
    const messages = new Map<TextFormat, NotifyMessage>();
    const messageFor = (channel: string): NotifyMessage => {
      const format = formatOfChannel(channel);
      if (!messages.has(format)) messages.set(format, renderMessage(params, template, ctx, escaperOf(format)));
      return messages.get(format)!;
    };
    const send: SendContext = {
      fetch: ctx.services.fetch,
      signal: ctx.signal,
      env: (name) => (Object.hasOwn(ctx.env, name) ? ctx.env[name] : process.env[name]),
      render: (text) => ctx.services.render(text),
      mask: (text) => ctx.secrets.mask(text),
      timeoutMs: SEND_TIMEOUT_MS,
    };
    const deliveries = await Promise.all(
      targets.map(async ({ id, audience, channel }) => {
        const skip = drillSkip(ctx.run.drill && !ctx.run.drillNotifiesCustomers, template, audience);
        if (skip) return delivery(id, channel, 'skipped', { reason: skip });
        // A run may provide its own sender for a channel (the GitHub tracking issue).
        return (ctx.services.channels?.[channel] ?? channelSenders[channel])(id, audience, messageFor(channel), send);
      }),
    );
    if (deliveries.length === 0) ctx.log.info(`notify ${params.template}: nothing to deliver (no matching channel)`);
    for (const d of deliveries)
      ctx.log.info(`${d.audience}/${d.channel}: ${d.status}${d.reason ? ` (${d.reason})` : ''}`);
    const failed = deliveries.filter((d) => d.status === 'failed');
    if (failed.length > 0) {
      const list = failed.map((d) => `${d.audience}/${d.channel}: ${d.reason}`).join('; ');
      throw new ActionError(
        `notify ${params.template}: ${failed.length} of ${deliveries.length} deliveries failed: ${list}`,
        {
          code: 'notify-failed',
        },
      );
    }
    return { deliveries };
  },
  plan(params, ctx) {
    const { template, targets } = resolve(params, ctx.graph);
    const calls: { target: string; operation: string; args: Record<string, unknown> }[] = [];
    const skipped: string[] = [];
    for (const { id, audience, channel } of targets) {
      const { url, skip } = drillSkip(ctx.run.drill && !ctx.run.drillNotifiesCustomers, template, audience)
        ? { skip: 'drill' }
        : planDestination(channel, audience, ctx);
      if (skip !== undefined) skipped.push(`${id}/${channel} (${skip})`);
      else calls.push({ target: `${channel}:${id}`, operation: 'POST', args: { url, template: params.template } });
    }
    const to = calls.map((c) => c.target).join(', ') || 'nobody';
    return {
      summary: `notify ${params.template}${ctx.run.drill ? ' [DRILL]' : ''} → ${to}${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`,
      calls,
    };
  },
};

interface Target {
  id: string;
  audience: IrAudience;
  channel: string;
}

/** The Template and every (audience, channel) pair; unknown names are errors no retry can fix. */
function resolve(params: NotifyParams, graph: IrGraph): { template: IrTemplate; targets: Target[] } {
  const { templates, audiences } = graph.resources;
  const bad = (message: string) => new ActionError(message, { code: 'bad-params' });
  if (!Object.hasOwn(templates, params.template)) throw bad(`unknown template ${params.template}`);
  const template = templates[params.template];
  const ids = params.audience ?? template.audience ?? [];
  if (ids.length === 0)
    throw bad(`notify ${params.template}: no audience (give with.audience or the Template's audience)`);
  const targets: Target[] = [];
  for (const id of ids) {
    if (!Object.hasOwn(audiences, id)) throw bad(`unknown audience ${id}`);
    const audience = audiences[id];
    for (const channel of audience.channels) {
      if (params.channels && !params.channels.includes(channel)) continue;
      if (!Object.hasOwn(channelSenders, channel)) throw bad(`audience ${id}: unknown channel ${channel}`);
      targets.push({ id, audience, channel });
    }
  }
  return { template, targets };
}

function drillSkip(drill: boolean, template: IrTemplate, audience: IrAudience): string | undefined {
  return drill && (audience.external || template.customerFacing) ? 'drill' : undefined;
}

function renderMessage(
  params: NotifyParams,
  template: IrTemplate,
  ctx: ActionContext,
  escape: ((text: string) => string) | undefined,
): NotifyMessage {
  const graph = ctx.services.graph;
  // `vars` arrive as written (a format parameter): rendered here over values escaped for the format.
  const given = ctx.services.renderValue ? ctx.services.renderValue(params.vars ?? {}, escape) : params.vars;
  // What a Template body may read besides its variables (docs/format-reference.md, "Template
  // front matter"), from the graph so the message does not depend on the scheduler's context.
  const vars = {
    runbook: { name: graph.name, title: graph.title },
    directory: { roles: graph.resources.roles },
    drill: ctx.run.drill,
    ...((given ?? {}) as Record<string, unknown>),
  };
  const mask = (text: string) => ctx.secrets.mask(text);
  const render = (text: string) => mask(ctx.services.render(text, vars, escape));
  const subject = template.subject !== undefined ? render(template.subject) : undefined;
  const json = jsonTemplate(template.body);
  // A JSON payload is built as data, then serialised: each string value is rendered on its own,
  // so a variable holding `x", "drill": false, "y": "` stays inside its string.
  const payload = json === undefined ? undefined : renderLeaves(json, render);
  const body = payload === undefined ? render(template.body) : JSON.stringify(payload);
  return {
    template: params.template,
    body,
    drill: ctx.run.drill,
    ...(subject !== undefined ? { subject } : {}),
    ...(payload !== undefined ? { json: payload } : {}),
  };
}

/** The Template body as a JSON value when, as written (expressions inside its strings), it is JSON. */
function jsonTemplate(body: string): unknown {
  const trimmed = body.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

function renderLeaves(value: unknown, render: (text: string) => string): unknown {
  if (typeof value === 'string') return render(value);
  if (Array.isArray(value)) return value.map((v) => renderLeaves(v, render));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderLeaves(v, render)]));
  }
  return value;
}

/**
 * Where a planned delivery would go, or why it would be skipped. No URL path is shown (webhook
 * paths are credentials) and no environment value, only its name.
 */
function planDestination(channel: string, audience: IrAudience, ctx: PlanContext): { url?: string; skip?: string } {
  const webhook = audience.webhook?.trim() ?? '';
  // A template such as `{{inputs.notify_webhook}}` is rendered only at run time: show it as written.
  const own = webhook.includes('{{')
    ? ctx.secrets.mask(webhook)
    : webhook !== ''
      ? ctx.secrets.mask(webhookOrigin(webhook))
      : '';
  const fromEnv = (name: string) =>
    ((Object.hasOwn(ctx.env, name) ? ctx.env[name] : process.env[name]) ?? '').trim() !== '';
  if (channel === 'github') return { url: "the run's GitHub tracking issue (skipped without one)" };
  if (channel === 'webhook') return own ? { url: own } : { skip: 'no webhook URL' };
  if (channel === 'slack')
    return own
      ? { url: own }
      : fromEnv(SLACK_WEBHOOK_ENV)
        ? { url: `$${SLACK_WEBHOOK_ENV}` }
        : { skip: `${SLACK_WEBHOOK_ENV} is not set` };
  const relay = relayEnvName(channel);
  return fromEnv(relay) ? { url: `$${relay}` } : { skip: `${relay} is not set` };
}
