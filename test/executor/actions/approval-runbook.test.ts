import { describe, expect, it } from 'vitest';
import type { ApprovalGate } from '../../../executor/actions/action.js';
import { approvalAction } from '../../../executor/actions/approval.js';
import { runbookAction } from '../../../executor/actions/runbook.js';
import { ActionError } from '../../../executor/core/errors.js';
import { fakeContext, testGraph } from './context.js';

type Request = Parameters<ApprovalGate['request']>[0];

function gate(answer: Awaited<ReturnType<ApprovalGate['request']>>): ApprovalGate & { requests: Request[] } {
  const requests: Request[] = [];
  return { requests, request: async (req) => (requests.push(req), answer) };
}

describe('approval', () => {
  it('asks the gate with the step policy over the runbook policy and returns the approvers', async () => {
    const approvals = gate({ approved: true, approvedBy: ['@dba-1', '@dba-2'] });
    const graph = testGraph({}, { approvers: ['@acme/sre'], required: 1, selfApproval: false, timeoutMs: 1_800_000 });
    const { ctx } = fakeContext({ graph, approvals });
    const result = await approvalAction.run(
      { message: 'Promote the standby?', approvers: ['@acme/dba'], required: '2', timeout: '5m' },
      ctx,
    );
    expect(result).toEqual({ approved: true, approvedBy: ['@dba-1', '@dba-2'] });
    expect(approvals.requests).toEqual([
      {
        stepId: 'step-1',
        approvers: ['@acme/dba'],
        required: 2,
        selfApproval: false,
        allowUnsigned: false,
        timeoutMs: 300_000,
        message: 'Promote the standby?',
        signal: ctx.signal,
      },
    ]);
  });

  it('takes what the step leaves out from the runbook policy', async () => {
    const approvals = gate({ approved: true, approvedBy: ['@lead'] });
    const graph = testGraph({}, { approvers: ['@acme/sre-leads'], required: 2, selfApproval: true, timeoutMs: 60_000 });
    const { ctx } = fakeContext({ graph, approvals });
    await approvalAction.run({ message: 'Go?' }, ctx);
    expect(approvals.requests[0]).toMatchObject({
      approvers: ['@acme/sre-leads'],
      required: 2,
      selfApproval: true,
      timeoutMs: 60_000,
    });
  });

  it('fails without retry when refused, with the reason', async () => {
    const { ctx } = fakeContext({ approvals: gate({ approved: false, reason: 'refused by @dba-1: lag too high' }) });
    const error = (await approvalAction.run({ message: 'Go?' }, ctx).catch((e: unknown) => e)) as ActionError;
    expect(error).toBeInstanceOf(ActionError);
    expect(error).toMatchObject({ code: 'approval-refused', retryable: false });
    // Quoting the approver's reason is the behaviour under test.
    expect(error.message).toContain('lag too high');
  });

  it('rejects a policy that cannot be met', async () => {
    const { ctx } = fakeContext({ approvals: gate({ approved: true, approvedBy: [] }) });
    await expect(approvalAction.run({ message: 'Go?', required: '0' }, ctx)).rejects.toMatchObject({
      code: 'bad-params',
    });
  });
});

describe('runbook', () => {
  it('runs the sub-graph and returns its status and outputs', async () => {
    const calls: unknown[] = [];
    const { ctx } = fakeContext({
      runSubgraph: async (name, inputs) => (
        calls.push([name, inputs]),
        { status: 'succeeded', outputs: { 'promote-db': { endpoint: 'db' } } }
      ),
    });
    expect(await runbookAction.run({ runbook: 'postgres-failover', inputs: { region: 'us-west-2' } }, ctx)).toEqual({
      status: 'succeeded',
      outputs: { 'promote-db': { endpoint: 'db' } },
    });
    expect(calls).toEqual([['postgres-failover', { region: 'us-west-2' }]]);
  });

  it('fails without retry when the sub-run does not succeed', async () => {
    const { ctx } = fakeContext({ runSubgraph: async () => ({ status: 'rolled-back', outputs: {} }) });
    await expect(runbookAction.run({ runbook: 'postgres-failover' }, ctx)).rejects.toMatchObject({
      code: 'subrun-failed',
      retryable: false,
    });
  });
});
