import { describe, expect, it } from 'vitest';
import { localApprovalGate } from '../../../executor/approvals/local-gate.js';
import { refusalReason } from '../../../executor/approvals/policy.js';
import type { EventSink, RunEventType } from '../../../executor/core/events.js';

const plan = 'a'.repeat(64);
const members = { '@acme/dba': ['@dana-lee', '@charlie-brown'] };
const policy = { approvers: ['@acme/dba', '@ops-lead'], required: 2, selfApproval: false };
const reason = (
  approver: string,
  o: Partial<{ planHash: string; step: string; initiator: string; selfApproval: boolean }> = {},
) =>
  refusalReason({
    claim: { approver, planHash: o.planHash ?? plan, step: o.step ?? '*' },
    stepId: 'approve',
    initiator: o.initiator ?? '@initiator',
    planHash: plan,
    members,
    policy: { ...policy, selfApproval: o.selfApproval ?? false },
  });

describe('approval policy', () => {
  it('accepts team members and named users, case-insensitively', () => {
    expect(reason('@dana-lee')).toBeUndefined();
    expect(reason('@Ops-Lead')).toBeUndefined();
  });
  it('refuses outsiders, the initiator, other plans and other steps', () => {
    expect(reason('@mallory')).toMatch(/not among the allowed approvers/);
    expect(reason('@dana-lee', { initiator: '@dana-lee' })).toMatch(/started this run/);
    expect(reason('@dana-lee', { initiator: '@dana-lee', selfApproval: true })).toBeUndefined();
    expect(reason('@dana-lee', { planHash: 'b'.repeat(64) })).toMatch(/given for plan bbbbbbbbbbbb/);
    expect(reason('@dana-lee', { step: 'other' })).toMatch(/given for step other/);
  });

  it('needs M distinct valid approvals and audits every grant and refusal', async () => {
    const events: { type: RunEventType; data: unknown }[] = [];
    const sink: EventSink = { emit: async (type, data) => void events.push({ type, data }) };
    const gate = (claims: { approver: string; planHash: string; step: string }[]) =>
      localApprovalGate({
        initiator: '@initiator',
        planHash: plan,
        members,
        claims,
        events: sink,
        interactive: false,
        mode: 'live',
        signers: {},
        verifier: { verify: async () => ({ ok: false, reason: 'unused' }) },
      });
    // Unsigned claims: this gate opts in to unsigned local approvals (signed ones: test/security/signed-approvals.test.ts).
    const req = {
      stepId: 'approve',
      approvers: policy.approvers,
      required: 2,
      selfApproval: false,
      allowUnsigned: true,
      message: 'go?',
      signal: new AbortController().signal,
    };
    const short = await gate([
      { approver: '@dana-lee', planHash: plan, step: '*' },
      { approver: '@dana-lee', planHash: plan, step: '*' },
      { approver: '@mallory', planHash: plan, step: '*' },
    ]).request(req);
    expect(short).toEqual({ approved: false, reason: expect.stringMatching(/2 approval\(s\) required .* 1 valid/) });
    expect(
      events.filter((e) => e.type === 'approval:refused').map((e) => (e.data as { approver?: string }).approver),
    ).toEqual(['@dana-lee', '@mallory', undefined]);
    const ok = await gate([
      { approver: '@dana-lee', planHash: plan, step: 'approve' },
      { approver: '@charlie-brown', planHash: plan, step: '*' },
    ]).request(req);
    expect(ok).toEqual({ approved: true, approvedBy: ['@dana-lee', '@charlie-brown'] });
  });
});
