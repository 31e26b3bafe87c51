import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advisoryLockId } from '../../../executor/lock/pg-lock.js';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { noPostgres } from '../pg/context.js';
import { newAuditDatabase } from '../../support/audit-db.js';
import { compiledRoot, runCliAsync, runIdOf } from '../../support/cli.js';
import { waitFor } from '../../support/crash.js';
import { killRunners, startRunner } from '../../support/two-runner.js';

/**
 * The lock across runners (issue 13), through the CLI: two checkouts (so their `.runbook/locks`
 * files exclude nothing) share one PostgreSQL. Two runs of the same runbook started at once: one
 * runs, the other is refused (exit 6) naming the holder (run id, initiator, host). `kill -9` of
 * the holder frees the lock, and a new run gets it: the lock is a session-level advisory lock,
 * which "is held until explicitly released or the session ends" (PostgreSQL 15 documentation,
 * 13.3.5 Advisory Locks, https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS),
 * and the session ends when the killed process's socket closes.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: exclusive, owner: "@acme/sre" }
spec:
  inputs: { gate: { type: string, required: true } }
  concurrency: database-failover
  phases:
    - id: only
      steps:
        - id: hold
          idempotent: true
          run: |
            echo "$$" > "$GATE.at.tmp" && mv "$GATE.at.tmp" "$GATE.at"
            until [ -e "$GATE" ]; do sleep 0.02; done
          env: { GATE: "{{inputs.gate}}" }
`;

let cluster: PgCluster | undefined;
let template: string;
const dirs: string[] = [];
const password = 'lock-Writer-' + Math.random().toString(36).slice(2);
let db: { admin: string; writer: string };

beforeAll(async () => {
  template = compiledRoot('runbook-lock-', { 'exclusive.yaml': runbook });
  dirs.push(template);
  if (noPostgres) return;
  cluster = await startPostgres();
  const c = new pg.Client({ connectionString: cluster.primaryUrl });
  await c.connect();
  await c.query(`CREATE ROLE lock_writer LOGIN PASSWORD '${password}'`);
  await c.end();
  db = await newAuditDatabase(cluster, 'cross_runner_lock', { user: 'lock_writer', password });
}, 120_000);

afterAll(async () => {
  await killRunners();
  await cluster?.stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
}, 60_000);

function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'runbook-lock-runner-'));
  dirs.push(root);
  for (const dir of ['runbooks', 'generated']) cpSync(join(template, dir), join(root, dir), { recursive: true });
  return root;
}

/** Whether any session holds the advisory lock of the runbook's concurrency key (see pg-lock.ts). */
async function lockHeld(): Promise<boolean> {
  const id = BigInt.asUintN(64, advisoryLockId('database-failover'));
  const c = new pg.Client({ connectionString: db.admin });
  await c.connect();
  try {
    const { rowCount } = await c.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
          AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1`,
      [(id >> 32n).toString(), (id & 0xffffffffn).toString()],
    );
    return rowCount === 1;
  } finally {
    await c.end();
  }
}

describe.skipIf(noPostgres)('one lock across runners (PostgreSQL advisory lock, through the CLI)', () => {
  it(
    'two runs started at once: one runs, the other is refused naming the holder; kill -9 of the holder frees it',
    {
      timeout: 180_000,
    },
    async () => {
      const gates = mkdtempSync(join(tmpdir(), 'runbook-lock-gates-'));
      dirs.push(gates);
      const gate = join(gates, 'go');
      const start = (who: string) => {
        const root = checkout();
        const args = [
          'run',
          'exclusive',
          '--root',
          root,
          '--as',
          who,
          '--audit-db',
          db.writer,
          '--input',
          `gate=${gate}`,
        ];
        return { who, root, runner: startRunner(args, root) };
      };
      const runners = [start('@runner-a'), start('@runner-b')];

      // Exactly one is refused; the other holds the lock inside its step (the gate is closed).
      await waitFor(
        () => runners.some((r) => r.runner.child.exitCode !== null),
        'one of the two runs to be refused',
        90_000,
      );
      const refused = runners.find((r) => r.runner.child.exitCode !== null)!;
      const holder = runners.find((r) => r !== refused)!;
      const out = await refused.runner.ended;
      expect(out.status, out.stdout + out.stderr).toBe(6);
      await waitFor(() => /^run id: /m.test(holder.runner.output()), 'the holder to announce its run', 60_000);
      const holderRun = runIdOf(holder.runner.output());
      for (const part of [`run ${holderRun}`, `initiated by ${holder.who}`, `on ${hostname()}`])
        expect(out.stderr, out.stderr).toContain(part);
      expect(holder.runner.child.exitCode, holder.runner.output()).toBeNull();
      expect(await lockHeld()).toBe(true);

      // kill -9 of the holder (its whole process group, as a lost runner): its session ends with it.
      await waitFor(() => /^\d+$/.test(readPid(`${gate}.at`)), 'the holder to be inside its step', 60_000);
      await holder.runner.killGroup();
      await waitForAsync(async () => !(await lockHeld()), 'the server to end the killed holder’s session');

      // A new run, on the refused runner's checkout, now gets the lock and completes.
      writeFileSync(gate, '');
      const next = await runCliAsync(
        [
          'run',
          'exclusive',
          '--root',
          refused.root,
          '--as',
          refused.who,
          '--audit-db',
          db.writer,
          '--input',
          `gate=${gate}`,
        ],
        {},
        120_000,
        refused.root,
      );
      expect(next.status, next.stdout + next.stderr).toBe(0);
      expect(runIdOf(next.stdout)).not.toBe(holderRun);
      expect(await lockHeld()).toBe(false);
    },
  );
});

function readPid(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

async function waitForAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
