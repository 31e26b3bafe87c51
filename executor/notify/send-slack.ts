import { delivery, tag, type ChannelSender } from './delivery.js';
import { postJson } from './post-json.js';

/** Where Slack messages go unless the audience names its own incoming webhook. */
export const SLACK_WEBHOOK_ENV = 'SLACK_WEBHOOK_URL';

/**
 * `slack`: an incoming-webhook message `{ text, channel? }`, the subject in bold on the first
 * line. The URL is the audience's `webhook` when it renders non-empty, else $SLACK_WEBHOOK_URL;
 * with neither, the delivery is skipped with the reason (a missing URL is configuration, and
 * failing the step would stop a failover over a chat message).
 */
export const sendSlack: ChannelSender = async (audienceId, audience, message, ctx) => {
  const own = audience.webhook === undefined ? '' : ctx.render(audience.webhook).trim();
  const url = own !== '' ? own : (ctx.env(SLACK_WEBHOOK_ENV) ?? '').trim();
  if (url === '') return delivery(audienceId, 'slack', 'skipped', { reason: `${SLACK_WEBHOOK_ENV} is not set` });
  const text =
    message.subject !== undefined
      ? `*${tag(message.subject, message.drill)}*\n${message.body}`
      : tag(message.body, message.drill);
  return postJson(
    audienceId,
    'slack',
    url,
    { text, ...(audience.slackChannel ? { channel: audience.slackChannel } : {}) },
    ctx,
  );
};
