import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOperation, requestBodyProblem, responseProblem } from '../../support/github-openapi.js';
import { startFakeGithub, type FakeGithub } from '../../support/fake-github.js';

// The fake GitHub checks itself and its callers against @octokit/openapi (GitHub's REST description).
let fake: FakeGithub;
beforeEach(async () => {
  fake = await startFakeGithub();
});
afterEach(async () => {
  fake.violations.length = 0;
  await fake.close();
});

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: `token ${fake.env().GITHUB_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe("the fake GitHub against GitHub's REST description", () => {
  it('matches concrete paths to operations, literal segments first', () => {
    expect(findOperation('GET', '/user')?.operationId).toBe('users/get-authenticated');
    expect(findOperation('GET', '/users/octocat')?.operationId).toBe('users/get-by-username');
    expect(findOperation('PUT', '/repos/a/b/branches/main/protection')).toMatchObject({
      operationId: 'repos/update-branch-protection',
      params: { owner: 'a', repo: 'b', branch: 'main' },
    });
    expect(findOperation('GET', '/repos/a/b/no-such-thing')).toBeUndefined();
  });

  it('records an unknown route and an invalid request body, and answers the body 422 as GitHub does', async () => {
    expect((await send('GET', '/repos/acme/dr/no-such-thing')).status).toBe(404);
    fake.addComment(7, 'ann', 'hi');
    fake.addPull({ number: 7, author: 'ann', headSha: 'a'.repeat(40) });
    expect((await send('POST', '/repos/acme/dr/issues/7/comments', { body: 42 })).status).toBe(422);
    expect(fake.violations).toEqual([
      expect.stringContaining('GET /repos/acme/dr/no-such-thing: no such route'),
      expect.stringMatching(/request body of issues\/create-comment: .*body\/body must be string/),
    ]);
    await expect(fake.close().then(() => 'closed')).rejects.toThrow(/departures from GitHub's REST description/);
  });

  it("names the operation and ajv's error for a reply missing what GitHub documents", () => {
    const op = findOperation('GET', '/repos/a/b/issues/comments/1')!;
    expect(responseProblem(op, 200, { id: 1 })).toMatch(
      /200 response of issues\/get-comment: .*must have required property 'node_id'/,
    );
    expect(
      responseProblem(op, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }),
    ).toBeUndefined();
    expect(responseProblem(op, 201, {})).toMatch(/documents no 201 response/);
    expect(requestBodyProblem(findOperation('PATCH', '/repos/a/b/issues/comments/1')!, {}, true)).toMatch(
      /must have required property 'body'/,
    );
  });
});
