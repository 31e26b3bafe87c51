import { delivery, type ChannelSender } from './delivery.js';
import { sendRelay } from './send-relay.js';
import { sendSlack } from './send-slack.js';
import { sendWebhook } from './send-webhook.js';

/** Until the GitHub integration exists, a `github` delivery is recorded as skipped. */
const sendGithub: ChannelSender = async (audienceId) =>
  delivery(audienceId, 'github', 'skipped', { reason: 'github channel arrives with the GitHub integration' });

/** The sender of each channel of the format (docs/format-reference.md, "Directory spec"). */
export const channelSenders: Readonly<Record<string, ChannelSender>> = {
  slack: sendSlack,
  webhook: sendWebhook,
  github: sendGithub,
  email: sendRelay('email'),
  sms: sendRelay('sms'),
  phone: sendRelay('phone'),
  'status-page': sendRelay('status-page'),
};
