/**
 * Escaping of *data* (inputs, outputs, step results) for the format of a channel, applied to the
 * values a Template reads, never to the Template's own text: what the runbook author wrote
 * (`<!here>`, `@acme/sre`, a link) keeps its meaning, and what a value holds is shown as text.
 */
export type TextFormat = 'slack' | 'github' | 'plain';

/** The format a channel's text is read in. JSON webhooks are built as data (no escaping needed). */
export function formatOfChannel(channel: string): TextFormat {
  return channel === 'slack' ? 'slack' : channel === 'github' ? 'github' : 'plain';
}

/**
 * Slack mrkdwn: `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;`, as Slack asks of any text
 * that is not a control sequence (https://api.slack.com/reference/surfaces/formatting#escaping).
 * This neutralises
 * `<!channel>`, `<!here>`, `<@U123>`, `<#C123>` and `<http://x|y>` links.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A zero-width joiner after `@`: the text reads the same, but GitHub links and notifies nobody. */
const ZWJ = '\u200d';

/**
 * GitHub-flavoured Markdown (comments, issues): raw HTML becomes text (`&`, `<`, `>` as entities),
 * `@login` and `@org/team` mention nobody (a zero-width joiner after the `@`), and Markdown
 * punctuation is backslash-escaped so a value cannot open a link, an image, a code span or a
 * table cell.
 */
export function escapeGithub(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()!|~#]/g, (c) => `\\${c}`)
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWJ}`);
}

/** The escaper of a format; `plain` text (e-mail, SMS, relays) is sent as it is. */
export function escaperOf(format: TextFormat): ((text: string) => string) | undefined {
  return format === 'slack' ? escapeSlack : format === 'github' ? escapeGithub : undefined;
}
