import { delivery, tag, type ChannelSender } from './delivery.js';
import { postJson } from './post-json.js';

/**
 * `webhook`: POSTs the Template to the audience's `webhook`. A JSON Template goes as written
 * (with `"drill": true` forced in drills, since a JSON payload has no text to prefix); any other as
 * `{ subject?, text }`. An audience whose webhook renders empty has it switched off (e.g. an
 * optional `{{inputs.notify_webhook}}`): skipped, not failed.
 */
export const sendWebhook: ChannelSender = async (audienceId, audience, message, ctx) => {
  const url = audience.webhook === undefined ? '' : ctx.render(audience.webhook).trim();
  if (url === '') return delivery(audienceId, 'webhook', 'skipped', { reason: 'no webhook URL (disabled)' });
  return postJson(audienceId, 'webhook', url, webhookPayload(message), ctx);
};

function webhookPayload(message: Parameters<ChannelSender>[2]): unknown {
  const json = message.json;
  if (json !== undefined) {
    const isObject = json !== null && typeof json === 'object' && !Array.isArray(json);
    // In a drill the flag is ours, never the Template's or a variable's.
    return message.drill && isObject ? { ...json, drill: true } : json;
  }
  return {
    ...(message.subject !== undefined ? { subject: tag(message.subject, message.drill) } : {}),
    text: tag(message.body, message.drill),
  };
}
