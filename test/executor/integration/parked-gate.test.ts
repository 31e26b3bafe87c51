import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { compiledRoot, runCliAsync, runIdOf } from '../../support/cli.js';
import { waitFor } from '../../support/crash.js';
import { noPostgres, skipReason } from '../pg/context.js';
import { startFakeGithub, type FakeGithub } from '../../support/fake-github.js';

/**
 * Issue 13, parked gates: runner A parks at a gate (the job ends green, no runner held), an
 * `/approve` comment reaches runner B through the issue_comment path (`runbook gate-event` with the
 * event payload GitHub would hand the workflow), and B finishes the run from the database journal
 * of record. Late, forged and self-approvals on a parked gate are refused and journaled; a second
 * run of the runbook is refused while the first is parked.
 *
 * Each runner B is a new clone of the repository with an empty `.runbook/` (a fresh GitHub
 * runner): it resumes the run from the database alone.
 */
const gated = (name: string, timeout: string) => `apiVersion: runbook/v1
kind: Runbook
metadata: { name: ${name}, owner: "@acme/dba" }
spec:
  onFailure: rollback
  approvals: { approvers: ["@ops-lead"], required: 1, timeout: ${timeout}, parkAfter: 1s }
  inputs: { out: { type: string, required: true } }
  phases:
    - id: only
      steps:
        - id: prepare
          run: 'echo prepared >> "$OUT"'
          env: { OUT: "{{inputs.out}}" }
          rollback: { run: 'echo undone >> "$OUT"', env: { OUT: "{{inputs.out}}" } }
        - id: promote
          approval: { message: Promote the replica? }
          run: 'echo promoted >> "$OUT"'
          env: { OUT: "{{inputs.out}}" }
`;

let cluster: PgCluster;
let fake: FakeGithub;
let root: string;
let work: string;
let db: string;
const runners: string[] = [];

type Row = { seq: number; type: string; record: { data: Record<string, unknown> } };

/** The run's records in the journal of record, in order. */
async function journal(runId: string): Promise<Row[]> {
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    const { rows } = await c.query<Row>(
      'SELECT seq::int AS seq, type, record FROM runbook_audit WHERE run_id = $1 ORDER BY seq',
      [runId],
    );
    return rows;
  } finally {
    await c.end();
  }
}

const env = (actor: string) => ({
  ...(fake.env({ GITHUB_ACTOR: actor }) as Record<string, string>),
  RUNBOOK_AUDIT_DB: db,
  // A superuser could alter runbook_audit; allowed explicitly (a test, not CI).
  RUNBOOK_ALLOW_OWNER_ROLE: 'true',
});

/** The run's line in `runbook runs --audit-db URL` (a table: RUN RUNBOOK STATE STARTED BY STEP). */
async function runsLine(runId: string): Promise<string | undefined> {
  const r = await runCliAsync(['runs', '--audit-db', db]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').find((l) => l.startsWith(`${runId} `));
}

/** Runner A: starts the run; it parks at `promote` and exits 0. */
async function parkRun(name: string, out: string) {
  const r = await runCliAsync(['run', name, '--root', root, '--input', `out=${out}`], env('octo-initiator'));
  return { ...r, runId: runIdOf(r.stdout) };
}

/** A new runner: a clone of the repository (runbooks and generated/), without `.runbook/`. */
function newRunner(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-parked-b-'));
  cpSync(root, dir, { recursive: true, filter: (src) => !src.includes('.runbook') });
  runners.push(dir);
  return dir;
}

/** A comment posted on GitHub, then the issue_comment workflow's command on a new runner B. */
async function comment(issue: number, user: string, body: string) {
  const c = fake.addComment(issue, user, body);
  const event = join(work, `event-${c.id}.json`);
  writeFileSync(
    event,
    JSON.stringify({
      action: 'created',
      issue: { number: issue, title: 'Run', state: 'open' },
      comment: {
        author_association: 'MEMBER',
        id: c.id,
        body,
        user: { login: user, type: 'User' },
        html_url: `https://github.example/x#issuecomment-${c.id}`,
      },
      repository: { full_name: 'acme/dr' },
      sender: { login: user, type: 'User' },
    }),
  );
  return runCliAsync(['gate-event', '--root', newRunner(), '--event', event], {
    ...env(user),
    GITHUB_EVENT_NAME: 'issue_comment',
    GITHUB_EVENT_PATH: event,
  });
}

/** A review submitted on pull request `pr`, then the pull_request_review workflow's command on a new runner B. */
async function reviewed(pr: number, user: string, state: string, body: string) {
  const id = fake.addReview(pr, user, state, 'a'.repeat(40), fake.now(), body);
  const event = join(work, `review-${id}.json`);
  writeFileSync(
    event,
    JSON.stringify({
      action: 'submitted',
      review: {
        id,
        body,
        state: state.toLowerCase(),
        author_association: 'MEMBER',
        user: { login: user, type: 'User' },
        html_url: `https://github.example/acme/dr/pull/${pr}#pullrequestreview-${id}`,
      },
      pull_request: { number: pr, title: 'Run request', state: 'open' },
      repository: { full_name: 'acme/dr' },
      sender: { login: user, type: 'User' },
    }),
  );
  return runCliAsync(['gate-event', '--root', newRunner(), '--event', event], {
    ...env(user),
    GITHUB_EVENT_NAME: 'pull_request_review',
    GITHUB_EVENT_PATH: event,
  });
}

beforeAll(async () => {
  if (noPostgres) return;
  cluster = await startPostgres({ standby: false });
  db = cluster.primaryUrl;
  fake = await startFakeGithub();
  fake.user('ops-lead');
  fake.user('mallory');
  fake.permission('mallory', 'write');
  root = compiledRoot('runbook-parked-', {
    'parked.yaml': gated('parked-gate', '10m'),
    // Long enough for the request to be posted on a loaded machine, short enough to wait out.
    'late.yaml': gated('parked-late', '8s'),
    'review.yaml': gated('parked-review', '10m'),
    'step.yaml': gated('parked-step', '10m').replace(
      'approval: { message: Promote the replica? }\n          run: \'echo promoted >> "$OUT"\'\n          env: { OUT: "{{inputs.out}}" }',
      'uses: approval\n          with: { message: Promote the replica? }',
    ),
  });
  work = mkdtempSync(join(tmpdir(), 'runbook-parked-work-'));
  const setup = await runCliAsync(['audit', 'db-setup', '--audit-db', db]);
  expect(setup.status, setup.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await cluster?.stop();
  for (const d of [root, work, ...runners]) if (d) rmSync(d, { recursive: true, force: true });
}, 60_000);

const title = noPostgres ? skipReason : 'a gate answered on GitHub, with a database journal of record';
describe.skipIf(noPostgres)(title, { timeout: 120_000 }, () => {
  it('parks, refuses a forged and a self-approval and a second run, and finishes on runner B after an /approve', async () => {
    const out = join(work, 'parked.out');
    const a = await parkRun('parked-gate', out);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toContain('waiting for approval of promote');
    expect(a.stderr).toMatch(/who can approve: @ops-lead/);
    expect(a.stderr).toMatch(/\/approve promote [0-9a-f]{12}/);
    const rows = await journal(a.runId);
    const parked = rows.at(-1)!;
    expect(parked.type).toBe('run:parked');
    expect(rows.some((r) => r.type === 'run:end')).toBe(false);
    const data = parked.record.data as { trackingIssue: { number: number }; deadline: string; granted: number };
    expect(data).toMatchObject({
      stepId: 'promote',
      approvers: ['@ops-lead'],
      required: 1,
      granted: 0,
      parkAfterMs: 1000,
    });
    const issue = data.trackingIssue.number;
    // The tracking issue says who can approve and how.
    expect(
      fake.visibleComments(issue).some((c) => /Run parked: waiting for approval of `promote`/.test(c.current)),
    ).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('prepared\n');
    // `runbook runs` (issue 13 item 5) lists it parked, at its gate.
    expect(await runsLine(a.runId)).toMatch(/^\S+\s+parked-gate\s+parked\s+\S+\s+@octo-initiator\s+promote$/);

    // A second run of the runbook is refused while the first is parked, naming it.
    const second = await runCliAsync(
      ['run', 'parked-gate', '--root', root, '--input', `out=${join(work, 'second.out')}`],
      env('octo-initiator'),
    );
    expect(second.status).toBe(6);
    expect(second.stderr).toContain(`parked run ${a.runId}`);

    // Forged (not an approver) and self-approval (the initiator): refused, journaled, parked again.
    for (const [user, reason] of [
      ['mallory', /is not among the allowed approvers/],
      ['octo-initiator', /started this run and cannot approve it/],
    ] as const) {
      const b = await comment(issue, user, '/approve promote');
      expect(b.status, b.stdout + b.stderr).toBe(0);
      const after = await journal(a.runId);
      const refused = after.filter((r) => r.type === 'approval:refused').map((r) => r.record.data);
      expect(refused.find((d) => d.approver === `@${user}`)?.reason).toMatch(reason);
      expect(after.at(-1)!.type).toBe('run:parked');
    }

    // A comment on an issue where nothing is parked changes nothing.
    const none = await comment(9999, 'ops-lead', '/approve promote');
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('no run is parked on #9999');

    // The approver's comment resumes the run on runner B, which finishes it.
    const b = await comment(issue, 'ops-lead', '/approve promote');
    expect(b.status, b.stdout + b.stderr).toBe(0);
    const done = await journal(a.runId);
    expect(done.at(-1)!.type).toBe('run:end');
    expect(done.at(-1)!.record.data.status).toBe('succeeded');
    const granted = done.filter((r) => r.type === 'approval:granted').map((r) => r.record.data.approval);
    expect(granted).toEqual([expect.objectContaining({ approver: '@ops-lead', source: 'github-comment' })]);
    // One request for the whole gate: the resumes continued it, they did not ask again.
    expect(done.filter((r) => r.type === 'approval:requested')).toHaveLength(1);
    // Each comment's refusal is journaled once across the three park/resume cycles: a resume
    // carries the comments judged before (run:parked's request.judged), it does not judge them again.
    const refusals = done.filter((r) => r.type === 'approval:refused').map((r) => r.record.data.approver);
    expect(refusals.sort()).toEqual(['@mallory', '@octo-initiator']);
    expect(readFileSync(out, 'utf8')).toBe('prepared\npromoted\n');
    expect(await runsLine(a.runId)).toMatch(/^\S+\s+parked-gate\s+finished \(succeeded\)\s/);
  });

  it('resumes a run parked on a pull request when a review says /approve (pull_request_review)', async () => {
    const out = join(work, 'review.out');
    const a = await parkRun('parked-review', out);
    expect(a.status, a.stderr).toBe(0);
    const parked = (await journal(a.runId)).at(-1)!;
    expect(parked.type).toBe('run:parked');
    const pr = (parked.record.data as { trackingIssue: { number: number } }).trackingIssue.number;
    // The run is tracked on the run request's pull request: on GitHub a pull request is an issue,
    // so its number is the tracked issue's (the fake keeps pulls apart from issues: add it).
    fake.addPull({ number: pr, author: 'pat-author', headSha: 'a'.repeat(40) });
    const b = await reviewed(pr, 'ops-lead', 'APPROVED', '/approve promote');
    expect(b.status, b.stdout + b.stderr).toBe(0);
    expect(b.stdout).toContain(`/approve promote by @ops-lead on #${pr}: resuming parked run ${a.runId}`);
    const done = await journal(a.runId);
    expect(done.at(-1)!.record.data.status).toBe('succeeded');
    const granted = done.filter((r) => r.type === 'approval:granted').map((r) => r.record.data.approval);
    expect(granted).toEqual([
      expect.objectContaining({
        approver: '@ops-lead',
        source: 'github-review',
        reference: expect.stringMatching(/#pullrequestreview-\d+$/),
      }),
    ]);
    expect(readFileSync(out, 'utf8')).toBe('prepared\npromoted\n');
  });

  it('parks at an approval step too (inside its attempt) and resumes it without asking about a step in doubt', async () => {
    const out = join(work, 'step.out');
    const a = await parkRun('parked-step', out);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toContain('resumes on an approval, or with: runbook resume');
    const before = await journal(a.runId);
    const parked = before.at(-1)!;
    expect(parked.type).toBe('run:parked');
    // Parked inside the approval step's attempt: its step:start has no step:end.
    const started = before.filter((r) => r.type === 'step:start' && r.record.data.stepId === 'promote');
    expect(started.map((r) => r.record.data.uses)).toEqual(['approval']);
    const issue = (parked.record.data as { trackingIssue: { number: number } }).trackingIssue.number;
    // A forged approval parks the step again; its refusal is journaled once, not again by the next resume.
    const forged = await comment(issue, 'mallory', '/approve promote');
    expect(forged.status, forged.stdout + forged.stderr).toBe(0);
    expect((await journal(a.runId)).at(-1)!.type).toBe('run:parked');
    // CI=true: a step in doubt that is not idempotent would need --decide; the parked gate is not one.
    const b = await comment(issue, 'ops-lead', '/approve promote');
    expect(b.status, b.stdout + b.stderr).toBe(0);
    const rows = await journal(a.runId);
    const refusals = rows.filter((r) => r.type === 'approval:refused').map((r) => r.record.data.approver);
    expect(refusals).toEqual(['@mallory']);
    expect(rows.at(-1)!.record.data.status).toBe('succeeded');
    expect(rows.some((r) => r.type === 'operator:decision')).toBe(false);
    const ends = rows.filter((r) => r.type === 'step:end').map((r) => [r.record.data.stepId, r.record.data.status]);
    expect(ends).toEqual([
      ['prepare', 'succeeded'],
      ['promote', 'succeeded'],
    ]);
  });

  it('runbook plan says that gates never park without an audit database', async () => {
    const args = ['plan', 'parked-gate', '--root', root, '--input', 'out=/dev/null'];
    const without = await runCliAsync(args);
    expect(without.status, without.stderr).toBe(0);
    expect(without.stderr).toContain(
      'without an audit database (--audit-db / RUNBOOK_AUDIT_DB) approval gates never park',
    );
    const withDb = await runCliAsync(args, env('octo-initiator'));
    expect(withDb.stderr).not.toContain('never park');
  });

  it('refuses an approval after the deadline (journaled) and the run fails over to its onFailure path', async () => {
    const out = join(work, 'late.out');
    const a = await parkRun('parked-late', out);
    expect(a.status, a.stderr).toBe(0);
    const parked = (await journal(a.runId)).at(-1)!;
    expect(parked.type).toBe('run:parked');
    const { deadline, trackingIssue } = parked.record.data as { deadline: string; trackingIssue: { number: number } };
    // The timeout keeps counting while parked; GitHub's created_at has one-second resolution.
    await waitFor(() => Date.now() > Date.parse(deadline) + 1_000, 'the deadline to pass', 20_000);
    const b = await comment(trackingIssue.number, 'ops-lead', '/approve promote');
    expect(b.status, b.stdout + b.stderr).toBe(5); // rolled back
    const rows = await journal(a.runId);
    const refused = rows.filter((r) => r.type === 'approval:refused').map((r) => r.record.data);
    expect(refused.find((d) => d.approver === '@ops-lead')?.reason).toMatch(/posted after the approval timed out/);
    expect(refused.at(-1)!.reason).toMatch(/^timed out after 8s/);
    expect(rows.some((r) => r.type === 'approval:granted')).toBe(false);
    expect(rows.at(-1)!.record.data.status).toBe('rolled-back');
    expect(readFileSync(out, 'utf8')).toBe('prepared\nundone\n');
  });
});
