import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubClient, type GithubContext } from '../../../executor/github/client.js';
import { conditionalCommentReader } from '../../../executor/github/conditional-list.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

let fake: FakeGithub;
let gh: GithubContext;
beforeEach(async () => {
  fake = await startFakeGithub({ pageSize: 2 });
  gh = githubClient(fake.env(), testClientOptions());
  fake.addPull({ number: 5, author: 'pat-author', headSha: 'a'.repeat(40) });
});
afterEach(() => fake.close());

const reads = () => fake.requests.filter((r) => r.path === '/repos/acme/dr/issues/5/comments');

describe('conditionalCommentReader', () => {
  it('sends If-None-Match, reuses pages answered 304, and sees what changed', async () => {
    const read = conditionalCommentReader(gh.octokit, gh.repo, 5);
    for (let i = 0; i < 3; i++) fake.addComment(5, 'bob', `c${i}`, fake.now() - 1_000 + i);
    const first = await read<{ body: string }>();
    expect(first).toMatchObject({ unchanged: false });
    expect(first.items.map((c) => c.body)).toEqual(['c0', 'c1', 'c2']);
    const again = await read<{ body: string }>();
    expect(again.unchanged).toBe(true);
    expect(again.items.map((c) => c.body)).toEqual(['c0', 'c1', 'c2']);
    expect(
      reads()
        .slice(-2)
        .map((r) => r.status),
    ).toEqual([304, 304]);
    fake.editComment(fake.comments[2].id, 'c2 edited');
    const edited = await read<{ body: string }>();
    expect(edited.unchanged).toBe(false);
    expect(edited.items.at(-1)!.body).toBe('c2 edited');
  });

  it('finds a comment that starts a new page behind a full, unchanged last page', async () => {
    const read = conditionalCommentReader(gh.octokit, gh.repo, 5);
    fake.addComment(5, 'bob', 'c0', fake.now() - 2_000);
    fake.addComment(5, 'bob', 'c1', fake.now() - 1_000);
    expect((await read()).items).toHaveLength(2);
    // Page 1's body, so its ETag, is the same: it answers 304; the comment is on page 2.
    fake.addComment(5, 'dana-lee', '/approve x', fake.now());
    const after = await read<{ body: string }>();
    expect(after.items.map((c) => c.body)).toEqual(['c0', 'c1', '/approve x']);
    expect(after.unchanged).toBe(false);
  });
});
