import { renderParams } from '../../../executor/render/render-params.js';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { actions as registry } from '../../../executor/actions/index.js';
import { httpCheckAction } from '../../../executor/actions/http-check.js';
import { notifyAction } from '../../../executor/actions/notify.js';
import { shellAction } from '../../../executor/actions/shell.js';
import { waitAction } from '../../../executor/actions/wait.js';
import { approvalAction } from '../../../executor/actions/approval.js';
import { runbookAction } from '../../../executor/actions/runbook.js';
import type { IrGraph } from '../../../ir/types.js';
import { fakeContext, planContext, testGraph } from './context.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const mine = ['shell', 'http.check', 'wait', 'notify', 'checklist', 'manual', 'approval', 'runbook'];
const actions = await registry.load(mine);
const scratch = mkdtempSync(join(tmpdir(), 'runbook-plan-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const secret = 'Sup3r-Secret-Value';

/** Every service that could reach the world throws: a plan must not touch any of them. */
function sealedContext(graph: IrGraph, env: Record<string, string> = {}) {
  const fetched: string[] = [];
  const { ctx } = fakeContext({
    graph,
    env,
    secrets: [secret],
    fetch: async (input) => {
      fetched.push(String(input));
      throw new Error('plan made a network call');
    },
  });
  return { plan: planContext(ctx), fetched };
}

describe('plans', () => {
  it('shell: the script and env names, never env values, and nothing runs', () => {
    const canary = join(scratch, 'canary'); // a fresh directory: nothing but the plan could create it
    const { plan } = sealedContext(testGraph(), { DB_PASSWORD: secret, REGION: 'us-west-2' });
    const p = shellAction.plan({ script: `set -euo pipefail\ntouch ${canary}` }, plan);
    expect(p.summary).toBe(`bash: touch ${canary}`);
    expect(p.calls).toEqual([
      {
        target: 'local:bash',
        operation: 'exec',
        args: { script: `set -euo pipefail\ntouch ${canary}`, env: ['DB_PASSWORD', 'REGION'] },
      },
    ]);
    expect(JSON.stringify(p)).not.toContain(secret);
    expect(existsSync(canary)).toBe(false);
  });

  it('http.check: masked URL and credential headers, no request', () => {
    const { plan, fetched } = sealedContext(testGraph());
    const p = httpCheckAction.plan(
      {
        url: `https://api.example.com/health?key=${secret}`,
        headers: { Authorization: 'Bearer abc', Accept: 'application/json' },
      },
      plan,
    );
    expect(p.calls[0]).toMatchObject({
      target: 'http',
      operation: 'GET',
      args: {
        url: 'https://api.example.com/health?key=***',
        headers: { Authorization: '***', Accept: 'application/json' },
        timeoutMs: 10_000,
      },
    });
    expect(fetched).toEqual([]);
  });

  it('notify: destinations without webhook paths or env values; drill skips', () => {
    const graph = testGraph({
      templates: { t: { channel: 'slack', body: 'hi', variables: {}, customerFacing: false } },
      audiences: {
        eng: { channels: ['slack', 'github'], external: false, members: [] },
        ops: {
          channels: ['webhook'],
          external: false,
          members: [],
          webhook: 'https://hooks.example.com/services/T0KEN',
        },
        ext: { channels: ['webhook'], external: true, members: [], webhook: '{{inputs.customer_hook}}' },
      },
    });
    const { plan, fetched } = sealedContext(graph, { SLACK_WEBHOOK_URL: `https://hooks.slack.com/services/${secret}` });
    const p = notifyAction.plan({ template: 't', audience: ['eng', 'ops', 'ext'] }, plan);
    expect(p.calls).toEqual([
      { target: 'slack:eng', operation: 'POST', args: { url: '$SLACK_WEBHOOK_URL', template: 't' } },
      // The github channel comments on the run's tracking issue (skipped at run time without one).
      {
        target: 'github:eng',
        operation: 'POST',
        args: { url: "the run's GitHub tracking issue (skipped without one)", template: 't' },
      },
      { target: 'webhook:ops', operation: 'POST', args: { url: 'https://hooks.example.com', template: 't' } },
      { target: 'webhook:ext', operation: 'POST', args: { url: '{{inputs.customer_hook}}', template: 't' } },
    ]);
    const drill = notifyAction.plan(
      { template: 't', audience: ['ext'] },
      { ...plan, run: { ...plan.run, drill: true } },
    );
    expect(drill.calls).toEqual([]);
    expect(drill.summary).toContain('ext/webhook (drill)');
    expect(JSON.stringify([p, drill])).not.toContain(secret);
    expect(fetched).toEqual([]);
  });

  it('wait, approval, runbook: what would happen, secrets masked', () => {
    const { plan } = sealedContext(testGraph({}, { approvers: ['@acme/sre'], required: 2, selfApproval: false }));
    expect(waitAction.plan({ duration: '90s' }, plan)).toEqual({ summary: 'wait 1m30s', calls: [] });
    expect(
      waitAction.plan(
        { until: '{{result.ok}}', check: { uses: 'http.check', with: { url: `https://x/?k=${secret}` } } },
        plan,
      ).calls[0],
    ).toEqual({
      target: 'action:http.check',
      operation: 'poll',
      args: { with: { url: 'https://x/?k=***' }, until: '{{result.ok}}', intervalMs: 10_000, timeoutMs: 600_000 },
    });
    expect(approvalAction.plan({ message: 'Go?' }, plan).summary).toBe(
      'approval: 2 of @acme/sre, not the initiator — Go?',
    );
    expect(runbookAction.plan({ runbook: 'child', inputs: { password: secret } }, plan).calls).toEqual([
      { target: 'runbook:child', operation: 'run', args: { inputs: { password: '***' } } },
    ]);
  });

  it('plans every step of the compiled library that uses these actions, offline', () => {
    const dir = join(repo, 'generated', 'graphs');
    let planned = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const graph = JSON.parse(readFileSync(join(dir, file), 'utf8')) as IrGraph;
      const { plan, fetched } = sealedContext(graph);
      // As a run does: `with` rendered once before the plan (render-params.ts), here with the
      // inputs' defaults (a library wait polls every `{{inputs.check_interval}}`).
      const inputs = Object.fromEntries(Object.entries(graph.inputs).map(([k, i]) => [k, i.default]));
      for (const node of graph.nodes.filter((n) => mine.includes(n.uses))) {
        const rendered = renderParams(actions, node.uses, node.with, { inputs, steps: {}, run: plan.run });
        const p = actions.get(node.uses)!.plan(rendered, { ...plan, env: node.env });
        expect(p.summary, `${file} ${node.id}`).not.toBe('');
        planned++;
      }
      expect(fetched).toEqual([]);
    }
    expect(planned).toBeGreaterThan(20);
  });
});

describe('registry', () => {
  it('lists these actions under the ids of their schemas', () => {
    for (const id of mine) {
      expect(actions.get(id)?.id).toBe(id);
      const schema = JSON.parse(readFileSync(join(repo, 'schemas', 'actions', `${id}.schema.json`), 'utf8')) as {
        'x-action': string;
      };
      expect(schema['x-action']).toBe(id);
    }
  });
});
