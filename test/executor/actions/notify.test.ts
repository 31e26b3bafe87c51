import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notifyAction } from '../../../executor/actions/notify.js';
import { ActionError } from '../../../executor/core/errors.js';
import type { IrAudience, IrGraph, IrTemplate } from '../../../ir/types.js';
import { fakeContext, loopbackServer, testGraph } from './context.js';

let server: Awaited<ReturnType<typeof loopbackServer>>;
beforeAll(async () => {
  server = await loopbackServer((req, res) => {
    res.writeHead(req.path.startsWith('/fail') ? 500 : 200);
    res.end('ok');
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.received.length = 0;
});

const template = (t: Partial<IrTemplate> & { body: string }): IrTemplate => ({
  channel: 'slack',
  variables: {},
  customerFacing: false,
  ...t,
});
const audience = (a: Partial<IrAudience> & { channels: string[] }): IrAudience => ({
  external: false,
  members: [],
  ...a,
});

function graph(): IrGraph {
  return testGraph({
    templates: {
      alert: template({
        subject: '[CRITICAL] {{runbook.title}}',
        body: 'Phase: {{phase}}. IC: {{directory.roles.ic.primary.name}}',
        audience: ['eng'],
      }),
      hook: template({ channel: 'webhook', body: '{"event": "{{event}}", "run": "{{run.id}}"}' }),
      status: template({ channel: 'status-page', body: 'We are investigating.', customerFacing: true }),
    },
    audiences: {
      eng: audience({ channels: ['slack'], slackChannel: '#incident' }),
      ops: audience({ channels: ['webhook'], webhook: `${server.url}/hook/T0KEN-PATH` }),
      broken: audience({ channels: ['webhook'], webhook: `${server.url}/fail/T0KEN-PATH` }),
      optional: audience({ channels: ['webhook'], webhook: '{{inputs.notify_webhook}}' }),
      customers: audience({ channels: ['webhook'], external: true, webhook: `${server.url}/customers` }),
      execs: audience({ channels: ['email', 'github'], email: 'execs@example.com', members: ['@ceo'] }),
    },
    roles: { ic: { title: 'Incident commander', primary: { id: 'jane', name: 'Jane Doe' } } },
  });
}

const slackEnv = () => ({ SLACK_WEBHOOK_URL: `${server.url}/slack`, RUNBOOK_EMAIL_WEBHOOK: '' });
const bodies = () =>
  Object.fromEntries(server.received.map((r) => [r.path.split('/')[1], JSON.parse(r.body) as unknown]));

describe('notify', () => {
  it('renders the Template and posts it to Slack with the audience channel', async () => {
    const { ctx } = fakeContext({ graph: graph(), env: slackEnv() });
    const result = await notifyAction.run({ template: 'alert', vars: { phase: 'Failover' } }, ctx);
    expect(result.deliveries).toEqual([
      { audience: 'eng', channel: 'slack', status: 'sent', ok: true, httpStatus: 200 },
    ]);
    expect(server.received).toHaveLength(1);
    expect(server.received[0].headers['content-type']).toBe('application/json');
    expect(bodies()).toEqual({
      slack: { text: '*[CRITICAL] Test runbook*\nPhase: Failover. IC: Jane Doe', channel: '#incident' },
    });
  });

  it('posts a JSON Template as JSON to the audience webhook', async () => {
    const { ctx } = fakeContext({ graph: graph(), env: slackEnv() });
    await notifyAction.run({ template: 'hook', audience: ['ops'], vars: { event: 'promoted' } }, ctx);
    expect(bodies()).toEqual({ hook: { event: 'promoted', run: 'run-1' } });
  });

  it('skips a webhook that renders empty, github, and email without a relay', async () => {
    const { ctx } = fakeContext({ graph: graph(), env: slackEnv(), context: { inputs: { notify_webhook: '' } } });
    const result = await notifyAction.run(
      { template: 'alert', audience: ['optional', 'execs'], vars: { phase: 'x' } },
      ctx,
    );
    expect(result.deliveries.map((d) => [d.audience, d.channel, d.status, d.reason])).toEqual([
      ['optional', 'webhook', 'skipped', 'no webhook URL (disabled)'],
      ['execs', 'email', 'skipped', 'RUNBOOK_EMAIL_WEBHOOK is not set'],
      ['execs', 'github', 'skipped', 'github channel arrives with the GitHub integration'],
    ]);
    expect(server.received).toHaveLength(0);
  });

  it('sends email through the relay named by RUNBOOK_EMAIL_WEBHOOK', async () => {
    const { ctx } = fakeContext({ graph: graph(), env: { RUNBOOK_EMAIL_WEBHOOK: `${server.url}/email` } });
    await notifyAction.run(
      { template: 'alert', audience: ['execs'], channels: ['email'], vars: { phase: 'Assess' } },
      ctx,
    );
    expect(bodies()).toEqual({
      email: {
        channel: 'email',
        audience: 'execs',
        template: 'alert',
        drill: false,
        subject: '[CRITICAL] Test runbook',
        text: 'Phase: Assess. IC: Jane Doe',
        recipients: { members: ['@ceo'], email: 'execs@example.com' },
      },
    });
  });

  it('a drill that opted in reaches customers, still marked [DRILL]', async () => {
    const { ctx } = fakeContext({ graph: graph(), env: slackEnv(), drill: true, drillNotifiesCustomers: true });
    const result = await notifyAction.run(
      { template: 'alert', audience: ['eng', 'customers'], vars: { phase: 'Drill' } },
      ctx,
    );
    expect(result.deliveries.map((d) => [d.audience, d.status])).toEqual([
      ['eng', 'sent'],
      ['customers', 'sent'],
    ]);
    expect(JSON.stringify(server.received)).toContain('[DRILL]');
  });

  it('in a drill prefixes [DRILL] and never reaches external audiences or customer-facing Templates', async () => {
    const { ctx } = fakeContext({ graph: graph(), env: slackEnv(), drill: true });
    const result = await notifyAction.run(
      { template: 'alert', audience: ['eng', 'customers'], vars: { phase: 'Drill' } },
      ctx,
    );
    expect(result.deliveries.map((d) => [d.audience, d.status, d.reason])).toEqual([
      ['eng', 'sent', undefined],
      ['customers', 'skipped', 'drill'],
    ]);
    expect(bodies()).toEqual({
      slack: { text: '*[DRILL] [CRITICAL] Test runbook*\nPhase: Drill. IC: Jane Doe', channel: '#incident' },
    });

    server.received.length = 0;
    await notifyAction.run({ template: 'hook', audience: ['ops'], vars: { event: 'drill-start' } }, ctx);
    expect(bodies()).toEqual({ hook: { event: 'drill-start', run: 'run-1', drill: true } });

    server.received.length = 0;
    const status = await notifyAction.run({ template: 'status', audience: ['ops'] }, ctx);
    expect(status.deliveries).toEqual([
      { audience: 'ops', channel: 'webhook', status: 'skipped', ok: true, reason: 'drill' },
    ]);
    expect(server.received).toHaveLength(0);
  });

  it('fails retryably when a delivery fails, without showing the webhook path', async () => {
    const { ctx } = fakeContext({ graph: graph(), env: slackEnv() });
    const error = (await notifyAction
      .run({ template: 'hook', audience: ['ops', 'broken'], vars: { event: 'e' } }, ctx)
      .catch((e: unknown) => e)) as ActionError;
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'notify-failed', retryable: true });
    // The webhook's path is a credential: keeping it out of the message is the behaviour under test.
    expect(error.message).toContain('broken/webhook');
    expect(error.message).not.toContain('T0KEN-PATH');
    expect(server.received.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/hook/T0KEN-PATH', '/fail/T0KEN-PATH']),
    );
  });

  it('masks secrets in outgoing text', async () => {
    const secret = 'p4ssw0rd-in-a-var';
    const { ctx } = fakeContext({ graph: graph(), env: slackEnv(), secrets: [secret] });
    await notifyAction.run({ template: 'alert', vars: { phase: `oops ${secret}` } }, ctx);
    expect(server.received[0].body).not.toContain(secret);
    expect(server.received[0].body).toContain('oops ***');
  });

  it('refuses unknown templates and audiences without retry', async () => {
    const { ctx } = fakeContext({ graph: graph() });
    await expect(notifyAction.run({ template: 'constructor' }, ctx)).rejects.toMatchObject({
      code: 'bad-params',
      retryable: false,
    });
    await expect(notifyAction.run({ template: 'alert', audience: ['nobody'] }, ctx)).rejects.toMatchObject({
      code: 'bad-params',
      retryable: false,
    });
  });
});
