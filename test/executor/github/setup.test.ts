import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubClient, type GithubContext } from '../../../executor/github/client.js';
import { environmentsFromGraphs, githubSetup } from '../../../executor/github/setup.js';
import { prCheckName } from '../../../common/pr-check.js';
import type { IrGraph } from '../../../ir/types.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';
import { writeAll } from '../../support/github-permissions.js';

let fake: FakeGithub;
let gh: GithubContext;
beforeEach(async () => {
  // `github setup` runs with an administrator's own token, which can read org teams (for the
  // environments' reviewer ids); a job's GITHUB_TOKEN never can.
  fake = await startFakeGithub({ permissions: { ...writeAll, members: 'read' } });
  gh = githubClient(fake.env(), testClientOptions());
  fake.addTeam('acme/dba', { 'dana-lee': 'active' });
  fake.user('ops-lead');
});
afterEach(() => fake.close());

const environments = [{ name: 'production', reviewers: ['@acme/dba', '@ops-lead'] }];
const setup = (dryRun: boolean) =>
  githubSetup({ octokit: gh.octokit, repo: gh.repo, environments, branch: 'main', dryRun });

describe('githubSetup', () => {
  it('--dry-run lists every call it would make and makes none', async () => {
    const result = await setup(true);
    expect(fake.requests).toEqual([]);
    expect(result.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /orgs/acme/teams/dba',
      'GET /users/ops-lead',
      'PUT /repos/acme/dr/environments/production',
      'GET /repos/acme/dr/branches/main/protection',
      'PUT /repos/acme/dr/branches/main/protection',
    ]);
    expect(result.calls[2].body).toMatchObject({
      reviewers: [
        { type: 'Team', id: '<id of @acme/dba>' },
        { type: 'User', id: '<id of @ops-lead>' },
      ],
      prevent_self_review: true,
    });
    expect(result.calls[4].body).toMatchObject({ required_pull_request_reviews: { require_code_owner_reviews: true } });
  });

  it('creates environments with reviewer ids and protects the branch, keeping its status checks', async () => {
    fake.protection.set('main', {
      required_status_checks: { strict: true, contexts: ['ci/test'] },
      enforce_admins: false,
      required_pull_request_reviews: { required_approving_review_count: 2 },
      restrictions: null,
    });
    const result = await setup(false);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(result.calls.map((c) => `${c.method} ${c.path}`));
    expect(fake.environments.get('production')).toEqual({
      reviewers: [
        { type: 'Team', id: fake.teams.get('acme/dba')!.id },
        { type: 'User', id: fake.users.get('ops-lead')!.id },
      ],
      prevent_self_review: true,
      deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
    });
    expect(fake.protection.get('main')).toEqual({
      required_status_checks: {
        strict: true,
        contexts: [],
        checks: [
          { context: 'ci/test', app_id: -1 },
          { context: prCheckName, app_id: -1 },
        ],
      },
      enforce_admins: false,
      restrictions: null,
      required_pull_request_reviews: {
        require_code_owner_reviews: true,
        required_approving_review_count: 2,
        dismiss_stale_reviews: true,
        require_last_push_approval: true,
      },
      required_linear_history: false,
      allow_force_pushes: false,
      allow_deletions: false,
      block_creations: false,
      required_conversation_resolution: false,
      lock_branch: false,
      allow_fork_syncing: false,
    });
  });

  it('carries every field of the current protection into the PUT, which replaces it whole', async () => {
    // Every field GitHub's PUT takes, set away from its default, and already meeting setup's policy:
    // the PUT must give it back unchanged (the fake serves it in GitHub's GET shape in between).
    const everything = {
      required_status_checks: {
        strict: true,
        contexts: [],
        checks: [
          { context: 'ci/test', app_id: 15368 },
          { context: prCheckName, app_id: -1 },
        ],
      },
      enforce_admins: false,
      required_pull_request_reviews: {
        dismissal_restrictions: { users: ['ops-lead'], teams: ['dba'], apps: ['release-bot'] },
        bypass_pull_request_allowances: { users: ['dana-lee'], teams: ['sre'], apps: ['merge-app'] },
        dismiss_stale_reviews: true,
        require_code_owner_reviews: true,
        required_approving_review_count: 3,
        require_last_push_approval: true,
      },
      restrictions: { users: ['ops-lead'], teams: ['dba'], apps: ['deploy-app'] },
      required_linear_history: true,
      allow_force_pushes: true,
      allow_deletions: true,
      block_creations: true,
      required_conversation_resolution: true,
      lock_branch: true,
      allow_fork_syncing: true,
    };
    fake.protection.set('main', structuredClone(everything));
    await setup(false);
    expect(fake.protection.get('main')).toEqual(everything);
  });

  it('protects an unprotected branch with the pull-request check required', async () => {
    await setup(false);
    expect(fake.protection.get('main')).toMatchObject({
      required_status_checks: { strict: false, contexts: [], checks: [{ context: prCheckName, app_id: -1 }] },
      enforce_admins: true,
      restrictions: null,
      required_pull_request_reviews: { require_code_owner_reviews: true, required_approving_review_count: 1 },
    });
  });

  it('refuses an unknown reviewer before changing anything, and derives environments from graphs', async () => {
    await expect(
      githubSetup({
        octokit: gh.octokit,
        repo: gh.repo,
        environments: [{ name: 'production', reviewers: ['@acme/nobody'] }],
        branch: 'main',
        dryRun: false,
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect(fake.requests.filter((r) => r.method === 'PUT')).toEqual([]);
    const g = (name: string, environment: string | undefined, approvers: string[]) =>
      ({ name, environment, approvals: { approvers, required: 1, selfApproval: false } }) as unknown as IrGraph;
    expect(
      environmentsFromGraphs([
        g('a', 'production', ['@acme/dba']),
        g('b', 'production', ['ops-lead', '@acme/dba']),
        g('c', undefined, ['@x']),
      ]),
    ).toEqual([{ name: 'production', reviewers: ['@acme/dba', '@ops-lead'] }]);
  });
});
