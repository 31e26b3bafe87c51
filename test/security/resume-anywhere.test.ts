import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * Resume anywhere: a run killed on runner A is resumed on runner B, a copy of the repository with
 * no `.runbook/` at all, from the audit database alone (the journal of record). Its finished
 * steps are not run again (their outputs are restored from the records), the step in doubt waits
 * for a decision, and a checkout whose runbook compiles to another plan is refused.
 */
const runbook = (s3: string) => `apiVersion: runbook/v1
kind: Runbook
metadata: { name: anywhere, owner: "@acme/sre" }
spec:
  inputs: { dir: { type: string, required: true } }
  phases:
    - id: only
      steps:
        - id: s1
          idempotent: false
          run: |
            echo s1 >> "$DIR/effects"
            echo "token=t-$$" >> "$RUNBOOK_OUTPUT"
          env: { DIR: "{{inputs.dir}}" }
        - id: s2
          needs: [s1]
          idempotent: false
          run: |
            echo "$$" > "$DIR/s2.pre.tmp" && mv "$DIR/s2.pre.tmp" "$DIR/s2.pre"
            until [ -e "$DIR/go-s2" ]; do sleep 0.02; done
            echo s2 >> "$DIR/effects"
          env: { DIR: "{{inputs.dir}}" }
        - id: s3
          needs: [s2]
          run: echo "${s3} $TOKEN" >> "$DIR/effects"
          env: { DIR: "{{inputs.dir}}", TOKEN: "{{steps.s1.outputs.token}}" }
`;

let cluster: PgCluster | undefined;
const dirs: string[] = [];
const groups: number[] = [];
const writerPassword = 'anywhere-Writer-' + Math.random().toString(36).slice(2);
let databases = 0;
const commit = 'c0ffee0000000000000000000000000000000001';

beforeAll(async () => {
  if (noPostgres) return;
  cluster = await startPostgres();
  const c = new pg.Client({ connectionString: cluster.primaryUrl });
  await c.connect();
  await c.query(`CREATE ROLE anywhere_writer LOGIN PASSWORD '${writerPassword}'`).finally(() => c.end());
}, 120_000);
afterAll(async () => {
  groups.forEach(killGroup);
  await cluster?.stop();
  dirs.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** A repository with the runbook, compiled (generated/ is committed in a real one). */
function repository(s3 = 's3'): string {
  const root = tempDir('runbook-anywhere-repo-');
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'anywhere.yaml'), runbook(s3));
  const c = cliSync(['compile', '--root', root], root);
  expect(c.status, c.stdout + c.stderr).toBe(0);
  return root;
}

/** A clone of `root` on another runner: the repository's files, no `.runbook/`. */
function cloneOf(root: string): string {
  const clone = tempDir('runbook-anywhere-clone-');
  cpSync(root, clone, { recursive: true, filter: (src) => !src.includes('.runbook') });
  expect(existsSync(join(clone, '.runbook'))).toBe(false);
  return clone;
}

/** Runs on runner A and kills it (kill -9) while s2 waits: s1 done, s2 in doubt. */
async function killedOnRunnerA(db: string, work: string): Promise<{ root: string; runId: string }> {
  const root = repository();
  const cli = startCli(['run', 'anywhere', '--as', '@ops', '-i', `dir=${work}`, '--root', root, '--audit-db', db], {
    cwd: root,
    env: { GITHUB_SHA: commit },
  });
  const pre = join(work, 's2.pre');
  await waitFor(() => pidsIn(pre).length === 1 || cli.child.exitCode !== null, 's2 to start', 60_000);
  const [pid] = pidsIn(pre);
  expect(pid, cli.output()).toBeGreaterThan(0);
  groups.push(pid);
  cli.child.kill('SIGKILL');
  await cli.ended;
  await waitFor(() => !processRunning(pid), 's2 to end with the executor');
  return { root, runId: runIdOf(cli.output()) };
}

async function dbRecords(url: string, runId: string): Promise<{ type: string; stepId?: string }[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ record: { type: string; stepId?: string } }>(
      'SELECT record FROM runbook_audit WHERE run_id = $1 ORDER BY seq',
      [runId],
    );
    return rows.map((r) => r.record);
  } finally {
    await c.end();
  }
}

describe.skipIf(noPostgres)(noPostgres ? skipReason : 'resume on another runner from the audit database', () => {
  it('a clone with no .runbook/ resumes the run from the database: no effect twice, outputs restored', async () => {
    const db = await newAuditDatabase(cluster!, `anywhere_${++databases}`, {
      user: 'anywhere_writer',
      password: writerPassword,
    });
    const work = tempDir('runbook-anywhere-work-');
    const { root, runId } = await killedOnRunnerA(db.writer, work);
    // s2's step:start was committed to the database before its script began.
    expect((await dbRecords(db.admin, runId)).filter((r) => r.stepId === 's2').map((r) => r.type)).toContain(
      'step:start',
    );
    writeFileSync(join(work, 'go-s2'), '');
    const runnerB = cloneOf(root);
    const resume = (extra: string[]) =>
      cliSync(['resume', runId, '--as', '@ops', '--root', runnerB, '--audit-db', db.writer, ...extra], runnerB);
    // s2 is in doubt (not idempotent): an operator decides, as on the runner that died.
    const asked = resume([]);
    expect(asked.status, asked.stdout + asked.stderr).toBe(6);
    expect(asked.stderr).toMatch(/step s2 \(shell\) may or may not have run/);
    // The local copy was rebuilt from the database by that first attempt, which says so.
    expect(existsSync(join(runnerB, '.runbook', 'runs', runId, 'audit.jsonl'))).toBe(true);
    expect(asked.stderr).toMatch(
      /\b[1-9]\d* record\(s\) only the database held written to the file, 0 only the file held dropped/,
    );
    // The resume workflow's job of another runbook never continues this run.
    const other = resume(['--runbook', 'another', '--decide', 's2=rerun']);
    expect(other.status, other.stdout + other.stderr).toBe(6);
    expect(other.stderr).toContain(`run ${runId} is a run of anywhere, not of another`);
    // As the workflow passes them: --runbook, and the decisions in RUNBOOK_DECIDE.
    const done = cliSync(
      ['resume', runId, '--as', '@ops', '--root', runnerB, '--audit-db', db.writer, '--runbook', 'anywhere'],
      runnerB,
      { RUNBOOK_DECIDE: 's2=rerun' },
    );
    expect(done.status, done.stdout + done.stderr).toBe(0);
    const effects = readFileSync(join(work, 'effects'), 'utf8').trimEnd().split('\n');
    expect(effects.slice(0, 2)).toEqual(['s1', 's2']);
    expect(effects[2]).toMatch(/^s3 t-\d+$/);
    expect(effects).toHaveLength(3);
    // Both copies verify, complete: the clone's local copy and the database.
    const file = cliSync(['audit', 'verify', runId, '--root', runnerB], runnerB);
    expect(file.status, file.stdout + file.stderr).toBe(0);
    expect(file.stdout).toMatch(/chain intact, run complete/);
    const inDb = cliSync(['audit', 'verify', '--db', db.admin, '--run', runId, '--root', runnerB], runnerB);
    expect(inDb.status, inDb.stdout + inDb.stderr).toBe(0);
    expect(inDb.stdout).toMatch(/chain intact, run complete/);
  }, 120_000);

  it('a checkout whose runbook compiles to another plan is refused, naming both plan hashes and the commit', async () => {
    const db = await newAuditDatabase(cluster!, `anywhere_${++databases}`, {
      user: 'anywhere_writer',
      password: writerPassword,
    });
    const work = tempDir('runbook-anywhere-work-');
    const { runId } = await killedOnRunnerA(db.writer, work);
    const other = repository('s3-changed');
    const r = cliSync(
      ['resume', runId, '--as', '@ops', '--root', other, '--audit-db', db.writer, '--decide', 's2=rerun'],
      other,
    );
    expect(r.status, r.stdout + r.stderr).toBe(6);
    const start = (await dbRecords(db.admin, runId))[0] as { data?: { planHash?: string } };
    const planHash = start.data!.planHash!;
    expect(r.stderr).toContain(`was started with plan ${planHash} from commit ${commit}`);
    expect(r.stderr).toMatch(/this checkout's runbook compiles to [0-9a-f]{64}/);
    expect(r.stderr).not.toContain(`compiles to ${planHash}`);
    expect(readFileSync(join(work, 'effects'), 'utf8')).toBe('s1\n');
  }, 120_000);
});
