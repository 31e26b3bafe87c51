import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { headLine } from '../../../executor/audit/anchor-marker.js';
import { botLogin, githubClient, type GithubContext } from '../../../executor/github/client.js';
import { readGithubAnchors } from '../../../executor/github/read-anchors.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

let fake: FakeGithub;
let gh: GithubContext;
beforeEach(async () => {
  // Page size 2: the heads sit on the last page, behind chatter.
  fake = await startFakeGithub({ pageSize: 2 });
  gh = githubClient(fake.env(), testClientOptions());
  fake.addPull({ number: 9, author: 'pat-author', headSha: 'a'.repeat(40) });
  for (let i = 0; i < 4; i++) fake.addComment(9, 'reviewer', `chatter ${i}`, fake.now() - 10_000 + i);
});
afterEach(() => fake.close());

const head = (seq: number, c: string) => headLine('run-7', { seq, hash: c.repeat(64), type: 'run:end' });

describe('readGithubAnchors', () => {
  it('reads every page and trusts only the configured bot, never asking GET /user', async () => {
    fake.addComment(9, 'other-app[bot]', head(3, 'c'), fake.now(), 'Bot');
    fake.addComment(9, 'mallory', head(3, 'd'));
    fake.addComment(9, fake.bot, head(3, 'e'), fake.now(), 'Bot');
    const { anchors, trusted } = await readGithubAnchors({
      octokit: gh.octokit,
      repo: gh.repo,
      issueNumber: 9,
      runId: 'run-7',
      bots: [gh.bot],
    });
    expect(trusted).toEqual(['github-actions[bot]']);
    expect(anchors).toEqual([expect.objectContaining({ seq: 3, hash: 'e'.repeat(64) })]);
    expect(
      fake.requests.filter((r) => r.path === '/repos/acme/dr/issues/9/comments').map((r) => r.query.page ?? '1'),
    ).toEqual(['1', '2', '3', '4']);
    expect(fake.requests.some((r) => r.path === '/user')).toBe(false);
  });

  it('RUNBOOK_GITHUB_BOT names the bot (a GitHub App posting with its own token)', () => {
    expect(botLogin({})).toBe('github-actions[bot]');
    expect(botLogin({ RUNBOOK_GITHUB_BOT: ' runbook-app[bot] ' })).toBe('runbook-app[bot]');
    expect(githubClient(fake.env({ RUNBOOK_GITHUB_BOT: 'runbook-app[bot]' }), testClientOptions()).bot).toBe(
      'runbook-app[bot]',
    );
  });
});
