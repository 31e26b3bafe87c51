import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGithub, type FakeGithub } from '../../support/fake-github.js';
import { permissionsFor } from '../../support/github-permissions.js';

// The fake GitHub's token has exactly the permissions of a job's `permissions:` block.
let fake: FakeGithub;
afterEach(() => fake.close());

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: `token ${fake.env().GITHUB_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('token permissions in the fake GitHub', () => {
  it("refuses a PR comment to a token with pull-requests: read, with GitHub's message; issues: write still comments on issues", async () => {
    fake = await startFakeGithub({ permissions: { contents: 'read', issues: 'write', 'pull-requests': 'read' } });
    fake.addPull({ number: 7, author: 'pat', headSha: 'a'.repeat(40) });
    fake.issues.set(8, {
      number: 8,
      title: 't',
      body: '',
      user: fake.bot,
      createdAt: fake.now(),
      updatedAt: fake.now(),
      labels: [],
    });
    const onPull = await send('POST', '/repos/acme/dr/issues/7/comments', { body: 'plan' });
    expect(onPull.status).toBe(403);
    expect(await onPull.json()).toMatchObject({ message: 'Resource not accessible by integration' });
    expect((await send('GET', '/repos/acme/dr/pulls/7/reviews')).status).toBe(200);
    expect((await send('POST', '/repos/acme/dr/issues/8/comments', { body: 'progress' })).status).toBe(201);
    expect(fake.denied).toEqual(['POST /repos/acme/dr/issues/7/comments: pull-requests write']);
  });

  it("hides org team membership (404) from a token without members: read, and refuses setup's calls without administration", async () => {
    fake = await startFakeGithub({ permissions: { contents: 'read', issues: 'write', 'pull-requests': 'write' } });
    fake.addTeam('acme/dba', { 'dana-lee': 'active' });
    expect((await send('GET', '/orgs/acme/teams/dba/memberships/dana-lee')).status).toBe(404);
    expect((await send('GET', '/repos/acme/dr/branches/main/protection')).status).toBe(403);
    expect(permissionsFor({ operationId: 'issues/create-comment', onPull: false })).toEqual([['issues', 'write']]);
    expect(() => permissionsFor({ operationId: 'repos/delete' })).toThrow(/no permission recorded/);
  });
});
