import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import type { AuditRecord } from '../../executor/audit/record.js';
import { readRecords, rechain, writeRecords } from '../support/forge-log.js';
import { noPostgres, skipReason } from '../executor/pg/context.js';
import { bin, cliEnv, runCliAsync, runIdOf } from '../support/cli.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { directoryYaml } from './directory.js';

/**
 * A run publishes its chain head where the runner cannot rewrite it afterwards: the job summary,
 * a comment on its tracking issue, the audit database. `audit verify --anchors-from github|db`
 * compares the log with those heads, so a log rewritten with recomputed hashes, or invented,
 * fails there although its chain is intact, and the message says which head and from where.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: anchored, owner: "@acme/dba" }
spec:
  phases:
    - id: only
      steps:
        - { id: one, run: echo one }
        - { id: two, run: echo two }
`;
/** A gate answered on the tracking issue: the run pauses there, and publishes its head. */
const gated = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: gated, owner: "@acme/dba" }
spec:
  phases:
    - id: only
      steps:
        - id: approve
          uses: approval
          with: { message: "Go?", approvers: ["@dana-lee"], required: 1 }
        - { id: act, run: echo acted }
`;

let root: string;
const cli = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(env), timeout: 60_000 });
const logOf = (runId: string) => join(root, '.runbook', 'runs', runId, 'audit.jsonl');
const records = readRecords;
const write = (name: string, rs: readonly object[]) => writeRecords(join(root, name), rs);
/** The log with record 2 changed and every hash recomputed. */
const recomputed = (log: string, name: string) => {
  const rs = records(log);
  rs[1] = { ...rs[1], actor: '@someone-else' };
  return write(name, rechain(rs));
};
/** A whole log made up for the same run. */
const invented = (log: string, name: string) =>
  write(name, rechain(records(log).map((r) => ({ ...r, ts: '2020-01-01T00:00:00.000Z' }))));
const headOfVerify = (stdout: string) => /head (\d+:[0-9a-f]{64})/.exec(stdout)![1];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-anchors-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'anchored.yaml'), runbook);
  writeFileSync(join(root, 'runbooks', 'gated.yaml'), gated);
  writeFileSync(join(root, 'runbooks', 'directory.yaml'), directoryYaml);
  const compiled = cli({}, 'compile');
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the job summary', () => {
  it("carries the run's chain head, in the marker form and as SEQ:HASH, and the run prints it", () => {
    const summary = join(root, 'summary.md');
    const run = cli({ GITHUB_STEP_SUMMARY: summary }, 'run', 'anchored', '--as', '@ops');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const runId = runIdOf(run.stdout);
    const head = headOfVerify(cli({}, 'audit', 'verify', logOf(runId)).stdout);
    const [seq, hash] = head.split(':');
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain(`<!-- runbook-audit-head run=${runId} seq=${seq} hash=${hash} -->`);
    expect(text).toContain(`\`${head}\``);
    expect(run.stdout).toContain(`audit head: ${head}`);
    // The published head catches a recomputed log that the chain alone accepts.
    const forged = recomputed(logOf(runId), 'summary-forged.jsonl');
    expect(cli({}, 'audit', 'verify', forged).status).toBe(0);
    const v = cli({}, 'audit', 'verify', forged, '--anchor', head);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(
      new RegExp(`chain head at seq ${seq} is [0-9a-f]{64}, published anchor says ${hash} \\(from --anchor\\)`),
    );
  });
});

describe('heads published on the tracking issue', () => {
  let fake: FakeGithub;
  let runId: string;
  let issue: number;
  const gh = (...args: string[]) => runCliAsync([...args, '--root', root], fake.env() as Record<string, string>);

  beforeAll(async () => {
    fake = await startFakeGithub();
    const summary = join(root, 'gh-summary.md');
    const run = await runCliAsync(
      ['run', 'anchored', '--root', root, '--as', '@ops'],
      fake.env({ GITHUB_STEP_SUMMARY: summary }) as Record<string, string>,
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    runId = runIdOf(run.stdout);
    issue = [...fake.issues.values()].find((i) => i.title.includes(runId))!.number;
  }, 120_000);
  afterAll(async () => fake?.close());

  it('a comment by the bot names the final head, and an honest log verifies against it', async () => {
    const head = headOfVerify(cli({}, 'audit', 'verify', logOf(runId)).stdout);
    const [seq, hash] = head.split(':');
    const published = fake
      .visibleComments(issue)
      .filter((c) => c.current.includes(`<!-- runbook-audit-head run=${runId} seq=${seq} hash=${hash} -->`));
    expect(published.map((c) => c.user)).toEqual([fake.bot]);
    const v = await gh('audit', 'verify', runId, '--anchors-from', 'github');
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/1 published head matches/);
  });

  it('a recomputed log fails, naming the head, the published one and where it was published', async () => {
    const forged = recomputed(logOf(runId), 'gh-forged.jsonl');
    expect(cli({}, 'audit', 'verify', forged).status).toBe(0); // the chain alone cannot tell
    const v = await gh('audit', 'verify', forged, '--anchors-from', 'github');
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(
      new RegExp(
        `chain head at seq \\d+ is [0-9a-f]{64}, published anchor says [0-9a-f]{64} \\(from https://github\\.example/acme/dr/issues/${issue}#issuecomment-\\d+ by @github-actions\\[bot\\]\\)`,
      ),
    );
  });

  it('an invented log fails the same way; one naming no tracking issue fails too', async () => {
    const made = invented(logOf(runId), 'gh-invented.jsonl');
    expect(cli({}, 'audit', 'verify', made).status).toBe(0);
    const v = await gh('audit', 'verify', made, '--anchors-from', 'github');
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(
      /chain head at seq \d+ is [0-9a-f]{64}, published anchor says [0-9a-f]{64} \(from https:\/\/github\.example/,
    );
    const bare = write(
      'gh-bare.jsonl',
      rechain(
        records(logOf(runId)).map(
          (r) =>
            (r.type === 'run:start'
              ? { ...r, data: { ...(r.data as object), trackingIssue: undefined } }
              : r) as AuditRecord,
        ),
      ),
    );
    const b = await gh('audit', 'verify', bare, '--anchors-from', 'github');
    expect(b.status).toBe(1);
    expect(b.stdout).toMatch(/names no tracking issue/);
    // Pointed at the right issue by hand, it still fails against the head published there.
    const i = await gh('audit', 'verify', bare, '--anchors-from', 'github', '--issue', String(issue));
    expect(i.status).toBe(1);
    expect(i.stdout).toMatch(/published anchor says/);
  });

  it("trusts only the bot's comments: a head someone else posts counts for nothing", async () => {
    const forged = recomputed(logOf(runId), 'gh-forged-2.jsonl');
    const forgedHead = headOfVerify(cli({}, 'audit', 'verify', forged).stdout).split(':');
    fake.addComment(
      issue,
      'mallory',
      `<!-- runbook-audit-head run=${runId} seq=${forgedHead[0]} hash=${forgedHead[1]} -->`,
    );
    const withBot = await gh('audit', 'verify', forged, '--anchors-from', 'github');
    expect(withBot.status).toBe(1);
    expect(withBot.stdout).toMatch(/published anchor says .* by @github-actions\[bot\]/);
    for (const c of fake
      .visibleComments(issue)
      .filter((x) => x.user === fake.bot && x.current.includes('runbook-audit-head')))
      fake.deleteComment(c.id);
    const alone = await gh('audit', 'verify', forged, '--anchors-from', 'github');
    expect(alone.status).toBe(1);
    expect(alone.stdout).toMatch(/no chain head of run \S+ published by @github-actions\[bot\]/);
  });

  it("a run paused at a gate publishes its head there too; a rewrite before the gate fails at the gate's head", async () => {
    const started = fake.comments.length;
    const running = runCliAsync(
      ['run', 'gated', '--root', root, '--as', '@ops'],
      fake.env() as Record<string, string>,
      120_000,
    );
    // Answer the gate once its request is on the issue (the approver acts on what they see).
    const request = await until(
      () => fake.comments.slice(started).find((c) => c.user === fake.bot && c.body.includes('/approve approve')),
      60_000,
    );
    fake.addComment(request.issue, 'dana-lee', '/approve approve');
    const run = await running;
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const gatedId = runIdOf(run.stdout);
    const rs = records(logOf(gatedId));
    const gate = rs.find((r) => r.type === 'approval:requested')!;
    const body = fake
      .visibleComments(request.issue)
      .find((c) => c.user === fake.bot && c.current.includes('runbook-audit-anchors'))!.current;
    expect(body).toContain(`<!-- runbook-audit-head run=${gatedId} seq=${gate.seq} hash=${gate.hash} -->`);
    expect(body).toContain(`<!-- runbook-audit-head run=${gatedId} seq=${rs.at(-1)!.seq} hash=${rs.at(-1)!.hash} -->`);
    const ok = await gh('audit', 'verify', gatedId, '--anchors-from', 'github');
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/2 published heads match/);
    const v = await gh(
      'audit',
      'verify',
      recomputed(logOf(gatedId), 'gh-gated-forged.jsonl'),
      '--anchors-from',
      'github',
    );
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(
      new RegExp(
        `chain head at seq ${gate.seq} is [0-9a-f]{64}, published anchor says ${gate.hash} \\(from https://github\\.example/`,
      ),
    );
  }, 120_000);
});

/** Polls `check` until it returns a value (a condition, not a fixed sleep); fails after `ms`. */
async function until<T>(check: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'heads stored in the audit database', () => {
  let cluster: PgCluster | undefined;
  let runId: string;
  const writerPassword = 'anchor-Writer-' + Math.random().toString(36).slice(2);
  const db = (...args: string[]) => cli({ RUNBOOK_AUDIT_DB: cluster!.primaryUrl }, ...args);

  beforeAll(async () => {
    cluster = await startPostgres();
    // As recommended: the tables made by db-setup, the run logged in as a writer (INSERT/SELECT only).
    expect(cli({}, 'audit', 'db-setup', '--audit-db', cluster.primaryUrl).status).toBe(0);
    const admin = new pg.Client({ connectionString: cluster.primaryUrl });
    await admin.connect();
    await admin.query(`CREATE ROLE anchor_writer LOGIN PASSWORD '${writerPassword}' IN ROLE runbook_audit_writer`);
    await admin.end();
    const writerUrl = `postgres://anchor_writer:${writerPassword}@127.0.0.1:${cluster.primaryPort}/postgres`;
    const run = cli({}, 'run', 'anchored', '--as', '@ops', '--audit-db', writerUrl);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    runId = runIdOf(run.stdout);
  }, 120_000);
  afterAll(async () => cluster?.stop());

  it('the run stores its final head in runbook_audit_anchor, which refuses UPDATE', async () => {
    const head = headOfVerify(cli({}, 'audit', 'verify', logOf(runId)).stdout);
    const c = new pg.Client({ connectionString: cluster!.primaryUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ seq: string; hash: string; event: string }>(
        'SELECT seq, hash, event FROM runbook_audit_anchor WHERE run_id = $1',
        [runId],
      );
      expect(rows.map((r) => `${r.seq}:${r.hash}`)).toEqual([head]);
      expect(rows[0].event).toBe('run:end');
      await expect(c.query(`UPDATE runbook_audit_anchor SET hash = 'x' WHERE run_id = $1`, [runId])).rejects.toThrow(
        /append-only/,
      );
    } finally {
      await c.end();
    }
  });

  it('an honest log verifies against it, from the file and in the database', () => {
    const v = db('audit', 'verify', runId, '--anchors-from', 'db');
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/1 published head matches/);
    const d = cli({}, 'audit', 'verify', '--db', cluster!.primaryUrl, '--run', runId);
    expect(d.status, d.stdout + d.stderr).toBe(0);
    expect(d.stdout).toMatch(/1 published head matches/);
  });

  it('a recomputed and an invented log fail, saying which head and from where', () => {
    for (const path of [recomputed(logOf(runId), 'db-forged.jsonl'), invented(logOf(runId), 'db-invented.jsonl')]) {
      expect(cli({}, 'audit', 'verify', path).status).toBe(0);
      const v = db('audit', 'verify', path, '--anchors-from', 'db');
      expect(v.status).toBe(1);
      expect(v.stdout).toMatch(
        /chain head at seq \d+ is [0-9a-f]{64}, published anchor says [0-9a-f]{64} \(from the audit database \(runbook_audit_anchor, after run:end\)\)/,
      );
    }
  });
});
