import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pgBinDir, startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { runCommand, serverOwner } from '../../executor/pg/cluster-process.js';
import { noPostgres, passwordOf, skipReason } from '../executor/pg/context.js';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * An audit database outage in the middle of a run. The database is the journal of record, so a
 * record only in memory is not enough to act on: the run waits at its next record, retrying, and
 * goes on when the database answers within RUNBOOK_AUDIT_DB_RETRY_SECONDS; past that it stops
 * (fail-stop), no later step having started, and is resumed once the database is back. Either
 * way `audit verify --db` then passes, complete and gapless. `runbook audit sync` still copies in
 * a run journaled without a database.
 */
describe.skipIf(noPostgres)(noPostgres ? skipReason : 'audit database outage', { timeout: 180_000 }, () => {
  let root: string;
  let pg0: PgCluster | undefined;
  let child: ChildProcess | undefined;
  const password = 'wr1ter-Outage-' + Math.random().toString(36).slice(2);
  const writerUrl = () => `postgres://ci_runner:${password}@127.0.0.1:${pg0!.primaryPort}/postgres`;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [bin, ...args, '--root', root], {
      encoding: 'utf8',
      env: cliEnv(env),
      timeout: 60_000,
    });
  const pgCtl = (args: string[]) =>
    runCommand(join(pgBinDir, 'pg_ctl'), ['-D', join(pg0!.dir, 'primary'), ...args], {
      owner: serverOwner(),
      cwd: '/',
      timeoutMs: 60_000,
    });
  const stopDb = () => pgCtl(['-m', 'fast', '-w', '-t', '50', 'stop']);
  const startDb = () =>
    pgCtl(['-l', join(pg0!.dir, 'primary.log'), '-w', '-t', '50', '-o', `-p ${pg0!.primaryPort}`, 'start']);
  const journal = (runId: string) => {
    const path = join(root, '.runbook', 'runs', runId, 'audit.jsonl');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  };

  /** Starts the gated run; resolves with its id once the first gate step has started. */
  async function startRun(
    tag: string,
    env: Record<string, string> = {},
  ): Promise<{
    runId: string;
    gates: string[];
    stderr: () => string;
    exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  }> {
    const gates = [join(root, `${tag}-1`), join(root, `${tag}-2`)];
    let stdout = '';
    let stderr = '';
    child = spawn(
      process.execPath,
      [
        bin,
        'run',
        'gated',
        '--as',
        '@ops',
        '-i',
        `one=${gates[0]}`,
        '-i',
        `two=${gates[1]}`,
        '--audit-db',
        writerUrl(),
        '--root',
        root,
      ],
      { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child!.on('close', (code) => resolve({ code, stdout, stderr })),
    );
    const runId = await vi.waitFor(() => runIdOf(stdout), { timeout: 60_000, interval: 50 });
    await vi.waitFor(() => expect(journal(runId)).toContain('"stepId":"first-gate"'), {
      timeout: 60_000,
      interval: 50,
    });
    return { runId, gates, exit, stderr: () => stderr };
  }

  /** Advisory locks held by the sessions of a run (named in their application_name). */
  async function advisoryLocksOf(runId: string): Promise<number> {
    const c = new pg.Client({ connectionString: pg0!.primaryUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE $1",
        [`runbook ${runId}%`],
      );
      return rows[0].n;
    } finally {
      await c.end();
    }
  }

  /** The run's seqs in the order the rows were stored (heap order). */
  async function insertionOrder(runId: string): Promise<number[]> {
    const c = new pg.Client({ connectionString: pg0!.primaryUrl });
    await c.connect();
    try {
      const { rows } = await c.query<{ seq: string }>('SELECT seq FROM runbook_audit WHERE run_id = $1 ORDER BY ctid', [
        runId,
      ]);
      return rows.map((r) => Number(r.seq));
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'runbook-auditdb-outage-'));
    mkdirSync(join(root, 'runbooks'));
    writeFileSync(
      join(root, 'runbooks', 'gated.yaml'),
      `apiVersion: runbook/v1
kind: Runbook
metadata: { name: gated, owner: "@acme/sre" }
spec:
  inputs: { one: { type: string, required: true }, two: { type: string, required: true } }
  concurrency: gated-lock
  phases:
    - id: only
      steps:
        - id: first-gate
          run: until [ -e "$GATE" ]; do sleep 0.05; done; echo "effect one" >> "$GATE.effects"
          env: { GATE: "{{inputs.one}}" }
        - id: second-gate
          run: until [ -e "$GATE" ]; do sleep 0.05; done; echo "effect two" >> "$GATE.effects"
          env: { GATE: "{{inputs.two}}" }
        - { id: last, run: echo done }
`,
    );
    expect(cli(['compile']).status).toBe(0);
    pg0 = await startPostgres();
    const setup = cli(['audit', 'db-setup', '--audit-db', pg0.primaryUrl]);
    expect(setup.status, setup.stdout + setup.stderr).toBe(0);
    const admin = new pg.Client({ connectionString: pg0.primaryUrl });
    await admin.connect();
    await admin.query(`CREATE ROLE ci_runner LOGIN PASSWORD '${password}' IN ROLE runbook_audit_writer`);
    await admin.end();
  }, 120_000);
  afterEach(async () => {
    child?.kill('SIGKILL');
    child = undefined;
    // A test that failed mid-outage leaves the server down: the next one needs it up.
    if (pg0 && !existsSync(join(pg0.dir, 'primary', 'postmaster.pid'))) await startDb();
  }, 60_000);
  afterAll(async () => {
    await pg0?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('waits for the database through a short outage: no step starts before its step:start is committed', async () => {
    const { runId, gates, exit, stderr } = await startRun('wait', { RUNBOOK_AUDIT_DB_RETRY_SECONDS: '120' });
    await stopDb();
    writeFileSync(gates[0], '');
    // first-gate ended; its step:end cannot be committed, so the run waits there.
    await vi.waitFor(() => expect(stderr()).toMatch(/audit database unreachable .*the run waits for it/), {
      timeout: 60_000,
      interval: 50,
    });
    expect(journal(runId)).not.toContain('"stepId":"second-gate"');
    expect(existsSync(`${gates[1]}.effects`)).toBe(false);
    await startDb();
    await vi.waitFor(() => expect(journal(runId)).toContain('"stepId":"second-gate"'), {
      timeout: 60_000,
      interval: 50,
    });
    // The advisory lock, dropped by the server with the session, is taken again.
    await vi.waitFor(() => expect(stderr()).toMatch(/advisory lock "gated-lock" was taken again/), {
      timeout: 60_000,
      interval: 100,
    });
    expect(await advisoryLocksOf(runId)).toBe(1);
    writeFileSync(gates[1], '');
    const r = await exit;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/audit database reachable again/);
    expect(r.stdout + r.stderr).not.toContain(password);
    expect(r.stdout + r.stderr).not.toContain(passwordOf(pg0!.primaryUrl));
    expect(readFileSync(`${gates[0]}.effects`, 'utf8')).toBe('effect one\n');
    expect(readFileSync(`${gates[1]}.effects`, 'utf8')).toBe('effect two\n');
    const v = cli(['audit', 'verify', '--db', writerUrl(), '--run', runId]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/chain intact, run complete/);
    // Appended in seq order: rows of a table nobody deletes from lie in insertion order.
    const order = await insertionOrder(runId);
    expect(order).toEqual(order.map((_, i) => i + 1));
    expect(order.length).toBe(Number(/(\d+) records/.exec(v.stdout)![1]));
  });

  it('stops the run when the outage outlasts the retry window; resumed once the database is back', async () => {
    const { runId, gates, exit } = await startRun('stop', { RUNBOOK_AUDIT_DB_RETRY_SECONDS: '2' });
    await stopDb();
    writeFileSync(gates[0], '');
    writeFileSync(gates[1], '');
    const r = await exit;
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toMatch(/could not store record \d+ \(step:end\).*unreachable for 2 s/);
    expect(r.stdout + r.stderr).not.toContain(password);
    // Fail-stop: nothing after the record the database could not take has started.
    expect(readFileSync(`${gates[0]}.effects`, 'utf8')).toBe('effect one\n');
    expect(existsSync(`${gates[1]}.effects`)).toBe(false);
    expect(journal(runId)).not.toContain('"stepId":"second-gate"');

    await startDb();
    // first-gate's step:end only reached the local file: dropped (the database wins), so
    // first-gate is in doubt; the operator checked its effect happened.
    const resumed = cli(['resume', runId, '--as', '@ops', '--audit-db', writerUrl(), '--decide', 'first-gate=skip']);
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/\b[1-9]\d* only the file held dropped/);
    expect(readFileSync(`${gates[0]}.effects`, 'utf8')).toBe('effect one\n');
    expect(readFileSync(`${gates[1]}.effects`, 'utf8')).toBe('effect two\n');
    const v = cli(['audit', 'verify', '--db', writerUrl(), '--run', runId]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/chain intact, run complete/);
  });

  it('audit sync copies in a run journaled without the database; a forged journal is refused', () => {
    const gate = join(root, 'sync-gate');
    writeFileSync(gate, '');
    const run = cli(['run', 'gated', '--as', '@ops', '-i', `one=${gate}`, '-i', `two=${gate}`]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const runId = runIdOf(run.stdout);
    const forged = join(root, `${runId}-forged.jsonl`);
    writeFileSync(forged, journal(runId).replace('"status":"succeeded"', '"status":"failed"'));
    const refused = cli(['audit', 'sync', forged, '--audit-db', writerUrl()]);
    expect(refused.status, refused.stdout + refused.stderr).toBe(6);
    expect(refused.stderr).toMatch(/does not verify.*nothing was copied/);
    const sync = cli(['audit', 'sync', runId, '--audit-db', writerUrl()]);
    expect(sync.status, sync.stdout + sync.stderr).toBe(0);
    expect(sync.stdout + sync.stderr).not.toContain(password);
    const v = cli(['audit', 'verify', '--db', writerUrl(), '--run', runId]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/chain intact, run complete/);
    // Again: nothing left to copy, nothing duplicated.
    const again = cli(['audit', 'sync', runId, '--audit-db', writerUrl()]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/0 records back-filled/);
  });
});
