import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { noPostgres, skipReason } from '../executor/pg/context.js';
import { newAuditDatabase } from '../support/audit-db.js';
import { runIdOf } from '../support/cli.js';
import { cliSync, killGroup, pidsIn, processRunning, startCli, waitFor, type CliProcess } from '../support/crash.js';

/**
 * `runbook runs` against a real audit database: a finished run, a failed one nobody holds
 * (stale: resumable), one killed with -9 mid-step (stale, its lock dropped with its session), one
 * running (its lock held by a live session) and one parked (its last record `run:parked`).
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: listed, owner: "@acme/sre" }
spec:
  inputs: { gate: { type: string, required: true }, fail: { type: string, required: false, default: "no" } }
  concurrency: "listed-{{inputs.gate}}"
  phases:
    - id: only
      steps:
        - id: wait
          run: |
            echo "$$" > "$GATE.pre.tmp" && mv "$GATE.pre.tmp" "$GATE.pre"
            until [ -e "$GATE" ]; do sleep 0.02; done
            test "$FAIL" = no
          env: { GATE: "{{inputs.gate}}", FAIL: "{{inputs.fail}}" }
`;

let cluster: PgCluster | undefined;
let root: string;
let db: { admin: string; writer: string };
const live: CliProcess[] = [];
const groups: number[] = [];

beforeAll(async () => {
  if (noPostgres) return;
  root = mkdtempSync(join(tmpdir(), 'runbook-runs-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'listed.yaml'), runbook);
  expect(cliSync(['compile', '--root', root], root).status).toBe(0);
  cluster = await startPostgres();
  const password = 'runs-Writer-' + Math.random().toString(36).slice(2);
  const c = new pg.Client({ connectionString: cluster.primaryUrl });
  await c.connect();
  await c.query(`CREATE ROLE runs_writer LOGIN PASSWORD '${password}'`).finally(() => c.end());
  db = await newAuditDatabase(cluster, 'runs_list', { user: 'runs_writer', password });
}, 120_000);
afterAll(async () => {
  live.forEach((p) => p.child.kill('SIGKILL'));
  groups.forEach(killGroup);
  await cluster?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const run = (gate: string, extra: string[] = []) =>
  startCli(
    [
      'run',
      'listed',
      '--as',
      '@ops',
      '-i',
      `gate=${join(root, gate)}`,
      ...extra,
      '--root',
      root,
      '--audit-db',
      db.writer,
    ],
    {
      cwd: root,
    },
  );

/** Starts a run and waits until its step is running; returns the process and the run id. */
async function started(gate: string, extra: string[] = []) {
  const p = run(gate, extra);
  live.push(p);
  await waitFor(
    () => pidsIn(join(root, `${gate}.pre`)).length === 1 || p.child.exitCode !== null,
    `${gate} to start`,
    60_000,
  );
  const [pid] = pidsIn(join(root, `${gate}.pre`));
  expect(pid, p.output()).toBeGreaterThan(0);
  groups.push(pid);
  return { p, pid, runId: runIdOf(p.output()) };
}

/** A parked run as the database holds it: run:start then run:parked (rows as a run writes them). */
async function insertParked(runId: string): Promise<void> {
  const c = new pg.Client({ connectionString: db.admin });
  await c.connect();
  try {
    const base = { runId, runbook: 'listed', planHash: 'p', commit: null, actor: '@ci' };
    const start = { ...base, seq: 1, ts: '2026-01-01T00:00:00.000Z', type: 'run:start', data: { initiator: '@alice' } };
    const parked = {
      ...base,
      seq: 2,
      ts: '2026-01-01T00:00:01.000Z',
      type: 'run:parked',
      stepId: 'approve',
      data: { stepId: 'approve' },
    };
    for (const r of [start, parked])
      await c.query(
        `INSERT INTO runbook_audit (run_id, seq, ts, type, step_id, record, hash, prev_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          runId,
          r.seq,
          r.ts,
          r.type,
          r.type === 'run:parked' ? 'approve' : null,
          JSON.stringify(r),
          `h${r.seq}`,
          `h${r.seq - 1}`,
        ],
      );
  } finally {
    await c.end();
  }
}

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'runbook runs', { timeout: 180_000 }, () => {
  it('lists each run with its state, runbook, start, initiator and current step', async () => {
    const finished = run('done');
    writeFileSync(join(root, 'done'), '');
    expect((await finished.ended).status, finished.output()).toBe(0);
    const failed = run('failing', ['-i', 'fail=yes']);
    writeFileSync(join(root, 'failing'), '');
    expect((await failed.ended).status, failed.output()).toBe(4);
    const killed = await started('killed');
    killed.p.child.kill('SIGKILL');
    await killed.p.ended;
    await waitFor(() => !processRunning(killed.pid), 'the killed step to end');
    const running = await started('running');
    await insertParked('20260101-000000-parked');

    const r = cliSync(['runs', '--json', '--audit-db', db.writer], root);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const runs = JSON.parse(r.stdout) as {
      runId: string;
      state: string;
      runbook: string;
      by: string;
      currentStep?: string;
      status?: string;
    }[];
    const byId = new Map(runs.map((x) => [x.runId, x]));
    expect(byId.get(runIdOf(finished.output()))).toMatchObject({
      state: 'finished',
      status: 'succeeded',
      runbook: 'listed',
      by: '@ops',
    });
    expect(byId.get(runIdOf(failed.output()))).toMatchObject({ state: 'stale', status: 'failed' });
    expect(byId.get(killed.runId)).toMatchObject({ state: 'stale', currentStep: 'wait', by: '@ops' });
    expect(byId.get(running.runId)).toMatchObject({ state: 'running', currentStep: 'wait' });
    expect(byId.get('20260101-000000-parked')).toMatchObject({ state: 'parked', by: '@alice', currentStep: 'approve' });
    expect(runs).toHaveLength(5);

    const stale = cliSync(['runs', '--stale', '--audit-db', db.writer], root);
    expect(stale.status, stale.stderr).toBe(0);
    const lines = stale.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+RUNBOOK\s+STATE\s+STARTED\s+BY\s+STEP$/);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(/\s+/)[0])
        .sort(),
    ).toEqual([killed.runId, runIdOf(failed.output())].sort());
    expect(stale.stdout).not.toContain(db.writer.split(':')[2].split('@')[0]);

    writeFileSync(join(root, 'running'), '');
    expect((await running.p.ended).status).toBe(0);
    const after = JSON.parse(cliSync(['runs', '--json', '--audit-db', db.writer], root).stdout) as {
      runId: string;
      state: string;
    }[];
    expect(after.find((x) => x.runId === running.runId)?.state).toBe('finished');
  });

  it('refuses without a database', () => {
    const r = cliSync(['runs'], root, { RUNBOOK_AUDIT_DB: '' });
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/needs the audit database/);
  });
});
