import { delivery, tag, type ChannelSender } from '../notify/delivery.js';
import { httpStatus } from './client.js';
import type { TrackingIssue } from './tracking-issue.js';

/**
 * The `github` notify channel: the message becomes a comment on the run's tracking issue, where
 * the responders already watch the run. Like every sender it never throws: a failed comment is
 * a `failed` delivery (the notify step decides what that means), no tracking issue is `skipped`.
 */
export function githubChannelSender(issue: Pick<TrackingIssue, 'commentOnIssue'> | undefined): ChannelSender {
  return async (audienceId, _audience, message, ctx) => {
    if (!issue)
      return delivery(audienceId, 'github', 'skipped', {
        reason: 'no tracking issue for this run (needs GITHUB_TOKEN in Actions)',
      });
    const text = [
      message.subject ? `**${tag(message.subject, message.drill)}**` : tag('', message.drill).trim(),
      message.body,
    ]
      .filter((part) => part !== '')
      .join('\n\n');
    try {
      const posted = await issue.commentOnIssue(ctx.mask(text));
      return delivery(audienceId, 'github', 'sent', { reason: posted.url });
    } catch (error) {
      return delivery(audienceId, 'github', 'failed', {
        reason: ctx.mask((error as Error).message),
        httpStatus: httpStatus(error),
      });
    }
  };
}
