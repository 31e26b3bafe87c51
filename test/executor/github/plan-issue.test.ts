import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { githubClient } from '../../../executor/github/client.js';
import {
  planIssueLabel,
  planIssueMarker,
  planIssueNumber,
  planIssueStateSink,
} from '../../../executor/github/plan-issue.js';
import { startFakeGithub, testClientOptions, type FakeGithub } from '../../support/fake-github.js';

/**
 * Issue 11: one tracking issue per BackupPlan, found again by its label and marker (through
 * pagination), closed when a run succeeds and reopened when one does not.
 */
let fake: FakeGithub;
beforeEach(async () => {
  fake = await startFakeGithub({ pageSize: 2 });
});
afterEach(() => fake.close());

const client = () => githubClient(fake.env(), testClientOptions());
const find = () => planIssueNumber({ ...client(), plan: 'nightly-db', title: 'Backup plan Nightly database backup' });
const end = (status: string) => ({ type: 'run:end', seq: 9, data: { status } }) as unknown as AuditRecord;

describe('the BackupPlan tracking issue', () => {
  it('is opened once, with its label and marker, and found again on the next runs', async () => {
    const first = await find();
    const issue = fake.issues.get(first)!;
    expect(issue.labels).toEqual([planIssueLabel]);
    expect(issue.body).toContain(planIssueMarker('nightly-db'));
    // Other issues, some with the label but another plan's marker, spread over several pages.
    for (let i = 0; i < 5; i++)
      await client().octokit.issues.create({
        owner: 'acme',
        repo: 'dr',
        title: `other ${i}`,
        body: i % 2 ? planIssueMarker('other-plan') : 'x',
        labels: i % 2 ? [planIssueLabel] : [],
      });
    expect(await find()).toBe(first);
    expect(await find()).toBe(first);
    expect([...fake.issues.values()].filter((i) => i.body.includes(planIssueMarker('nightly-db')))).toHaveLength(1);
  });

  it('is found while closed (state=all), closed when green, reopened when red', async () => {
    const number = await find();
    const sink = () => planIssueStateSink({ ...client(), issueNumber: number });
    const green = sink();
    await green.write([end('succeeded')]);
    await green.close!();
    expect(fake.issues.get(number)).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(await find()).toBe(number);
    const red = sink();
    await red.write([end('failed')]);
    await red.close!();
    expect(fake.issues.get(number)).toMatchObject({ state: 'open', stateReason: 'reopened' });
    const patches = fake.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/issues/${number}`));
    expect(patches.map((p) => p.body)).toEqual([
      { state: 'closed', state_reason: 'completed' },
      { state: 'open', state_reason: 'reopened' },
    ]);
  });

  it('never fails the run when the update fails', async () => {
    const number = await find();
    const logs: string[] = [];
    const sink = planIssueStateSink({ ...client(), issueNumber: number + 1000, log: (m) => logs.push(m) });
    await sink.write([end('succeeded')]);
    await expect(sink.close!()).resolves.toBeUndefined();
    expect(logs.join('\n')).toContain('could not set its state to closed');
  });
});
