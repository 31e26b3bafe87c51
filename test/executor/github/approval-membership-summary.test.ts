import { describe, expect, it } from 'vitest';
import { approvalAuthenticity, type ApprovalSummary } from '../../../executor/audit/summary.js';

const granted = (extra: Partial<ApprovalSummary>): ApprovalSummary =>
  ({
    stepId: 'approve',
    decision: 'granted',
    approver: '@dana-lee',
    source: 'github-comment',
    at: '2024-05-01T12:00:00Z',
    ...extra,
  }) as ApprovalSummary;

describe('approvalAuthenticity for GitHub approvals', () => {
  it('says which source decided a team membership; a listed approver needs no note', () => {
    expect(approvalAuthenticity(granted({ membership: 'directory' }))).toBe('team membership from the Directory');
    expect(approvalAuthenticity(granted({ membership: 'github' }))).toBe('live team membership');
    expect(approvalAuthenticity(granted({ membership: 'policy' }))).toBeUndefined();
    expect(
      approvalAuthenticity({ ...granted({ membership: 'directory' }), decision: 'refused' } as ApprovalSummary),
    ).toBeUndefined();
  });
});
