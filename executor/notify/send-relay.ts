import { delivery, tag, type ChannelSender } from './delivery.js';
import { postJson } from './post-json.js';

/** `RUNBOOK_EMAIL_WEBHOOK`, `RUNBOOK_STATUS_PAGE_WEBHOOK`…: the relay for a channel. */
export function relayEnvName(channel: string): string {
  return `RUNBOOK_${channel.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_WEBHOOK`;
}

/**
 * `email`, `sms`, `phone`, `status-page`: the runner has no mail server or telephony of its own,
 * so these go to an HTTP relay the organisation runs (an email gateway, a paging or status-page
 * webhook) named by `RUNBOOK_<CHANNEL>_WEBHOOK`. The payload says who it is for; the relay
 * decides how to reach them. Without a relay the delivery is skipped with that reason.
 */
export const sendRelay =
  (channel: string): ChannelSender =>
  async (audienceId, audience, message, ctx) => {
    const name = relayEnvName(channel);
    const url = (ctx.env(name) ?? '').trim();
    if (url === '') return delivery(audienceId, channel, 'skipped', { reason: `${name} is not set` });
    return postJson(
      audienceId,
      channel,
      url,
      {
        channel,
        audience: audienceId,
        template: message.template,
        drill: message.drill,
        ...(message.subject !== undefined ? { subject: tag(message.subject, message.drill) } : {}),
        text: tag(message.body, message.drill),
        recipients: { members: audience.members, ...(audience.email ? { email: audience.email } : {}) },
      },
      ctx,
    );
  };
