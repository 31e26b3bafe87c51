import { describe, expect, it } from 'vitest';
import { protectionPutBody } from '../../../executor/github/protection-body.js';
import { findOperation, requestBodyProblem } from '../../support/github-openapi.js';

// GET shape → PUT shape, field by field (GitHub REST "Get/Update branch protection").
const policy = { reviews: 1, requiredChecks: ['runbook-plan'] };
const put = findOperation('PUT', '/repos/a/b/branches/main/protection')!;

describe('protectionPutBody', () => {
  it('maps an older GET with contexts only, switches that are off, and objects to logins and slugs', () => {
    const body = protectionPutBody(
      {
        required_status_checks: { strict: false, contexts: ['ci/lint'] },
        enforce_admins: { enabled: false },
        required_pull_request_reviews: {
          dismissal_restrictions: { users: [{ login: 'ann' }], teams: [], apps: [{ slug: 'bot' }] },
          required_approving_review_count: 4,
        },
        restrictions: { users: [], teams: [{ slug: 'sre' }], apps: [] },
        allow_force_pushes: { enabled: false },
        lock_branch: { enabled: true },
      },
      policy,
    );
    expect(body).toEqual({
      required_status_checks: {
        strict: false,
        contexts: [],
        checks: [
          { context: 'ci/lint', app_id: -1 },
          { context: 'runbook-plan', app_id: -1 },
        ],
      },
      enforce_admins: false,
      required_pull_request_reviews: {
        dismissal_restrictions: { users: ['ann'], teams: [], apps: ['bot'] },
        require_code_owner_reviews: true,
        required_approving_review_count: 4,
        dismiss_stale_reviews: true,
        require_last_push_approval: true,
      },
      restrictions: { users: [], teams: ['sre'], apps: [] },
      allow_force_pushes: false,
      lock_branch: true,
    });
    expect(requestBodyProblem(put, body, true)).toBeUndefined();
  });

  it('protects an unprotected branch: admins included, the PR check required, a valid body', () => {
    const body = protectionPutBody(undefined, policy);
    expect(body).toMatchObject({
      enforce_admins: true,
      restrictions: null,
      required_status_checks: { checks: [{ context: 'runbook-plan', app_id: -1 }] },
    });
    expect(requestBodyProblem(put, body, true)).toBeUndefined();
  });
});
