import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubClient, type GithubContext } from '../../../executor/github/client.js';
import { upsertStickyComment } from '../../../executor/github/sticky-comment.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

const MARKER = '<!-- runbook-plan -->';
let fake: FakeGithub;
let gh: GithubContext;
beforeEach(async () => {
  fake = await startFakeGithub({ pageSize: 2 });
  gh = githubClient(fake.env(), testClientOptions());
  fake.addPull({ number: 3, author: 'pat-author', headSha: 'a'.repeat(40) });
  for (let i = 0; i < 3; i++) fake.addComment(3, 'reviewer', `comment ${i}`, fake.now() - 10_000 + i);
});
afterEach(() => fake.close());

const upsert = (body: string) =>
  upsertStickyComment({ octokit: gh.octokit, repo: gh.repo, issueNumber: 3, marker: MARKER, body, author: fake.bot });

describe('upsertStickyComment', () => {
  it('creates the comment once, then edits it, never duplicating it', async () => {
    const first = await upsert('plan v1');
    expect(first.action).toBe('created');
    // More comments push the sticky one off the first page: it must still be found.
    for (let i = 0; i < 4; i++) fake.addComment(3, 'reviewer', `later ${i}`);
    const second = await upsert('plan v2');
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    expect(await upsert('plan v2')).toMatchObject({ action: 'unchanged', id: first.id });
    const sticky = fake.visibleComments(3).filter((c) => c.current.includes(MARKER));
    expect(sticky).toHaveLength(1);
    expect(sticky[0].current).toBe(`${MARKER}\nplan v2`);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it("does not take over a person's comment that quotes the marker", async () => {
    fake.addComment(3, 'reviewer', `> ${MARKER} quoted`);
    expect((await upsert('plan')).action).toBe('created');
    expect(fake.visibleComments(3).filter((c) => c.current.includes(MARKER))).toHaveLength(2);
  });
});
