import { describe, expect, it } from 'vitest';
import { pendingOutputs, stepOutputs } from '../../../executor/render/placeholders.js';

describe('step outputs from action results', () => {
  it('are the documented result fields, with declared outputs winning on a name clash', () => {
    const result = {
      previousValue: 'primary.example.com',
      previousTtl: 60,
      changeId: 'C1',
      status: 'INSYNC',
      internal: 'x',
    };
    expect(stepOutputs('aws.route53.upsert-record', result, { status: 'renamed' })).toEqual({
      previousValue: 'primary.example.com',
      previousTtl: 60,
      changeId: 'C1',
      status: 'renamed',
    });
  });

  it('of a shell step are what its script wrote, not its exit code or stdout', () => {
    const result = { exitCode: 0, stdout: 'hello', stderr: '', outputs: { dr_alb: 'alb-1' } };
    expect(stepOutputs('shell', result, { extra: 'y' })).toEqual({ dr_alb: 'alb-1', extra: 'y' });
  });

  it('are placeholders before the step runs (plans, dry runs)', () => {
    expect(pendingOutputs('probe', 'http.check', ['ok'])).toEqual({
      status: '<probe.status>',
      latencyMs: '<probe.latencyMs>',
      body: '<probe.body>',
      headers: '<probe.headers>',
      json: '<probe.json>',
      ok: '<probe.ok>',
    });
    expect(pendingOutputs('s', 'shell', []).anything).toBe('<s.anything>');
  });
});
