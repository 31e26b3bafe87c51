import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { noPostgres, skipReason } from '../executor/pg/context.js';
import { newAuditDatabase } from '../support/audit-db.js';
import { runIdOf } from '../support/cli.js';
import { cliSync, killGroup, pidsIn, processRunning, startCli, waitFor } from '../support/crash.js';

/**
 * The audit log writes each record to the file and the database at once, so a kill -9 can land
 * between the two writes. Both orders are built here from a real kill at a step (journal ends
 * with its step:start): the file loses that last record (the database committed it first), or
 * the database does (the file was first). The database is the journal of record: resume must see
 * the step in doubt in the first case, and drop the file's extra record (reported) in the second;
 * both copies verify afterwards.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: split, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: s1
          idempotent: false
          run: |
            echo "$$" > s1.pre.tmp && mv s1.pre.tmp s1.pre
            until [ -e go-s1 ]; do sleep 0.02; done
            echo s1 >> effects
        - id: s2
          needs: [s1]
          run: echo s2 >> effects
`;

let cluster: PgCluster | undefined;
const roots: string[] = [];
const groups: number[] = [];
const writerPassword = 'split-Writer-' + Math.random().toString(36).slice(2);
let databases = 0;

beforeAll(async () => {
  if (noPostgres) return;
  cluster = await startPostgres();
  const c = new pg.Client({ connectionString: cluster.primaryUrl });
  await c.connect();
  await c.query(`CREATE ROLE split_writer LOGIN PASSWORD '${writerPassword}'`).finally(() => c.end());
}, 120_000);
afterAll(async () => {
  groups.forEach(killGroup);
  await cluster?.stop();
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

/** A database set up by db-setup: the admin URL, and the writer's for runs. */
const newDatabase = () =>
  newAuditDatabase(cluster!, `split_${++databases}`, { user: 'split_writer', password: writerPassword });

/** A run killed inside s1: its step:start is durable in both copies, its effect not done. */
async function killedRun(db: string): Promise<{ root: string; runId: string; path: string }> {
  const root = mkdtempSync(join(tmpdir(), 'runbook-split-'));
  roots.push(root);
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'split.yaml'), runbook);
  expect(cliSync(['compile', '--root', root], root).status).toBe(0);
  const cli = startCli(['run', 'split', '--as', '@ops', '--root', root, '--audit-db', db], { cwd: root });
  await waitFor(() => pidsIn(join(root, 's1.pre')).length === 1 || cli.child.exitCode !== null, 's1 to start', 60_000);
  const [pid] = pidsIn(join(root, 's1.pre'));
  expect(pid, cli.output()).toBeGreaterThan(0);
  groups.push(pid);
  const runId = runIdOf(cli.output());
  const path = join(root, '.runbook', 'runs', runId, 'audit.jsonl');
  await waitFor(
    () => readFileSync(path, 'utf8').trimEnd().split('\n').at(-1)!.includes('"step:start"'),
    'step:start of s1 in the journal',
  );
  cli.child.kill('SIGKILL');
  await cli.ended;
  await waitFor(() => !processRunning(pid), 's1 to end with the executor');
  writeFileSync(join(root, 'go-s1'), '');
  return { root, runId, path };
}

async function rowCount(admin: string, runId: string): Promise<number> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    return Number((await c.query('SELECT count(*) AS n FROM runbook_audit WHERE run_id = $1', [runId])).rows[0].n);
  } finally {
    await c.end();
  }
}

function verifyBoth(root: string, runId: string, admin: string): void {
  const file = cliSync(['audit', 'verify', runId, '--root', root], root);
  expect(file.status, file.stdout + file.stderr).toBe(0);
  const db = cliSync(['audit', 'verify', '--db', admin, '--run', runId, '--root', root], root);
  expect(db.status, db.stdout + db.stderr).toBe(0);
}

describe.skipIf(noPostgres)(
  noPostgres ? skipReason : 'resume after a kill between the file and database writes',
  () => {
    it('a step:start only the database holds makes the step in doubt, and is copied back to the file', async () => {
      const db = await newDatabase();
      const { root, runId, path } = await killedRun(db.writer);
      // The file lost its last record (s1's step:start); the database committed it.
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      writeFileSync(path, lines.slice(0, -1).join('\n') + '\n');
      expect(await rowCount(db.admin, runId)).toBe(lines.length);

      const asked = cliSync(['resume', runId, '--as', '@ops', '--root', root, '--audit-db', db.writer], root);
      expect(asked.status, asked.stdout + asked.stderr).not.toBe(0);
      expect(asked.stderr).toMatch(/step s1 \(shell\) may or may not have run/);
      expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(lines.length);

      const resumed = cliSync(
        ['resume', runId, '--as', '@ops', '--root', root, '--audit-db', db.writer, '--decide', 's1=rerun'],
        root,
      );
      expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
      expect(readFileSync(join(root, 'effects'), 'utf8')).toBe('s1\ns2\n');
      verifyBoth(root, runId, db.admin);
    }, 120_000);

    it('records only the file holds are dropped from it (never committed, so never acted on), and reported', async () => {
      const db = await newDatabase();
      const { root, runId, path } = await killedRun(db.writer);
      // The database lost the last record (s1's step:start): removed as its owner would, bypassing
      // the trigger. With the database as the journal of record that is a record whose emit never
      // resolved, so s1's action never began: s1 runs again without asking.
      const c = new pg.Client({ connectionString: db.admin });
      await c.connect();
      try {
        await c.query(`SET session_replication_role = replica`);
        await c.query(
          `DELETE FROM runbook_audit WHERE run_id = $1 AND seq = (SELECT max(seq) FROM runbook_audit WHERE run_id = $1)`,
          [runId],
        );
      } finally {
        await c.end();
      }
      const before = readFileSync(path, 'utf8').trimEnd().split('\n').length;
      const resumed = cliSync(['resume', runId, '--as', '@ops', '--root', root, '--audit-db', db.writer], root);
      expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(
        /0 record\(s\) only the database held written to the file, 1 only the file held dropped/,
      );
      const records = readFileSync(path, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { seq: number; type: string; data: Record<string, unknown> });
      const resume = records.find((r) => r.type === 'run:resume')!;
      expect(resume.seq).toBe(before);
      expect(resume.data.reconciled).toEqual({ appended: 0, dropped: 1, replaced: 0, backfilled: 0 });
      expect(resume.data.inDoubt).toEqual([]);
      expect(readFileSync(join(root, 'effects'), 'utf8')).toBe('s1\ns2\n');
      verifyBoth(root, runId, db.admin);
    }, 120_000);
  },
);
