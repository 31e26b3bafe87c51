import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubClient } from '../../../executor/github/client.js';
import { RunRefused } from '../../../executor/core/errors.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

let fake: FakeGithub;
beforeEach(async () => (fake = await startFakeGithub({ echoAuth: true })));
afterEach(() => fake.close());

describe('githubClient', () => {
  it('reads the Actions environment: API URL, repository, run facts', async () => {
    const gh = githubClient(fake.env(), testClientOptions());
    expect(gh.repo).toEqual({ owner: 'acme', repo: 'dr' });
    expect(gh.run).toEqual({
      serverUrl: 'https://github.example',
      id: '4242',
      actor: 'octo-initiator',
      url: 'https://github.example/acme/dr/actions/runs/4242',
    });
    fake.user('dana-lee');
    expect((await gh.octokit.users.getByUsername({ username: 'dana-lee' })).data.login).toBe('dana-lee');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/users/dana-lee' });
  });

  it('refuses to start without GITHUB_TOKEN or a well-formed GITHUB_REPOSITORY', () => {
    expect(() => githubClient(fake.env({ GITHUB_TOKEN: '' }))).toThrow(RunRefused);
    expect(() => githubClient(fake.env({ GITHUB_REPOSITORY: '' }))).toThrow(/GITHUB_REPOSITORY is not set/);
    expect(() => githubClient(fake.env({ GITHUB_REPOSITORY: 'acme' }))).toThrow(/owner\/repo/);
  });

  it('never lets the token into an error message', async () => {
    const token = 'ghs_this_is_a_wrong_token_42';
    const gh = githubClient(fake.env({ GITHUB_TOKEN: token }), testClientOptions());
    const error = await gh.octokit.users.getByUsername({ username: 'x' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Bad credentials/);
    expect((error as Error).message).not.toContain(token);
    expect(JSON.stringify((error as { request?: unknown }).request)).not.toContain(token);
    expect(JSON.stringify((error as { response?: unknown }).response)).not.toContain(token);
  });

  it('retries a rate-limited 403 through the throttling plugin, at most twice', async () => {
    const logs: string[] = [];
    const gh = githubClient(
      fake.env(),
      testClientOptions((m) => logs.push(m)),
    );
    fake.user('dana-lee');
    fake.rateLimit(2);
    expect((await gh.octokit.users.getByUsername({ username: 'dana-lee' })).status).toBe(200);
    expect(fake.requests.filter((r) => r.path === '/users/dana-lee')).toHaveLength(3);
    expect(logs.filter((m) => /rate limit hit/.test(m))).toHaveLength(2);

    fake.rateLimit(3, 'secondary');
    const error = await gh.octokit.users.getByUsername({ username: 'dana-lee' }).catch((e: { status: number }) => e);
    expect(error).toMatchObject({ status: 403 });
    expect(fake.requests.filter((r) => r.path === '/users/dana-lee')).toHaveLength(6);
    expect(logs.at(-1)).toMatch(/secondary rate limit .* giving up/);
  });

  it('honours retry-after on a secondary rate limit answered 429, and masks a members token too', async () => {
    const logs: string[] = [];
    const gh = githubClient(
      fake.env({ RUNBOOK_GITHUB_MEMBERS_TOKEN: 'ghs_members_secret_77' }),
      testClientOptions((m) => logs.push(m)),
    );
    fake.user('dana-lee');
    fake.rateLimit(1, 'secondary', 429, 7);
    expect((await gh.octokit.users.getByUsername({ username: 'dana-lee' })).status).toBe(200);
    expect(fake.requests.filter((r) => r.path === '/users/dana-lee').map((r) => r.status)).toEqual([429, 200]);
    expect(logs).toEqual([expect.stringMatching(/secondary rate limit on GET \/users\/\{username\}; retrying in 7s/)]);
    expect(gh.masker.mask('token ghs_members_secret_77')).not.toContain('ghs_members_secret_77');
    expect(gh.membersOctokit).toBeDefined();
  });
});
