import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { readAuditRows } from '../../../executor/audit/pg-sink.js';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { verifyAuditDb } from '../../../executor/audit/verify.js';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { noPostgres } from '../pg/context.js';
import { AuditCommitGate } from '../../support/audit-commit-gate.js';
import { newAuditDatabase } from '../../support/audit-db.js';
import { compiledRoot, runCliAsync, runIdOf } from '../../support/cli.js';
import { processRunning, waitFor } from '../../support/crash.js';
import {
  allGates,
  duplicatedEffects,
  effectInPlace,
  effects,
  nonIdempotent,
  pidAt,
  reversible,
  killRunners,
  startRunner,
  twoRunnerRunbook,
} from '../../support/two-runner.js';

/**
 * Two "runners" share one throwaway PostgreSQL (issue 13). Runner A runs `two-runner` in its own
 * checkout with `--audit-db` and is killed with `kill -9` (its whole process group) at 20
 * points; runner B, in another checkout, resumes the run with `runbook resume RUN --audit-db`,
 * deciding in-doubt steps as an operator would (it looks at the shared marker file: the effect
 * is there, `skip`; it is not, `rerun`). Required, per point: no non-idempotent effect happened
 * twice, the run completed (succeeded, or rolled back when `check` fails), and the run's chain
 * verifies in the database.
 *
 * No clock decides where a kill lands. Either a gate is left closed, so A stops inside a step's
 * script (before or after its effect, or a compensation's) and the test waits for the script's
 * pid file and for the database to show what the point needs; or the test holds the audit
 * table's lock (test/support/audit-commit-gate.ts) and lets A's group commits through one at a
 * time until the committed records show the point, so A is killed while its next batch waits.
 */

interface Ctx {
  /** Administrator's URL of the case's database. */
  readonly admin: string;
  /** Runner A's checkout. */
  readonly rootA: string;
  readonly gates: string;
  readonly marker: string;
  readonly runner: ReturnType<typeof startRunner>;
  readonly gate: AuditCommitGate;
  runId(): string;
}

type Rows = readonly AuditRecord[];
const has = (rows: Rows, type: string, stepId?: string) =>
  rows.some((r) => r.type === type && (stepId === undefined || r.stepId === stepId));

interface Point {
  readonly name: string;
  /**
   * The decisions journaled by the resume (`step=decision`, by the operator unless `by …`):
   * what proves the kill landed where the point says. `*` matches any of p1-p3.
   */
  readonly decides: readonly string[];
  /** How the point is reached (the table in the closing note). */
  readonly how: string;
  /** `check` fails: the run rolls back. */
  readonly fail?: boolean;
  /** Gates left closed in A. */
  readonly held?: readonly string[];
  /**
   * With the audit table held from A's start: A is killed once the committed records (and the
   * marker file) satisfy this, while its next batch waits for the lock.
   */
  readonly commits?: (rows: Rows, marker: string) => boolean;
  /**
   * With `commits`: the records of the waiting batch, as A's local file journal shows them (the
   * file and the database are written at once): what the kill catches in flight.
   */
  readonly inFlight?: (file: Rows) => boolean;
  /** Beyond the held gates' scripts being there: what the committed records must show. */
  readonly ready?: (rows: Rows) => boolean;
  /** The point needs its own choreography (the parallel step:end batch). */
  readonly reach?: (c: Ctx) => Promise<void>;
}

const points: Point[] = [
  {
    name: 'a1-before-effect',
    decides: ['a1=rerun'],
    how: 'gate pre-a1 closed: step:start a1 committed, effect not done',
    held: ['pre-a1'],
    ready: (r) => has(r, 'step:start', 'a1'),
  },
  {
    name: 'a1-after-effect',
    decides: ['a1=skip'],
    how: 'gate post-a1 closed: effect done, no step:end',
    held: ['post-a1'],
  },
  {
    name: 'a1-end-mid-commit',
    decides: ['a1=skip'],
    how: 'table lock: effect done, step:end a1 waiting in its group commit',
    commits: (r, m) => has(r, 'step:start', 'a1') && !has(r, 'step:end', 'a1') && effects(m).includes('a1 do'),
    inFlight: (f) => has(f, 'step:end', 'a1'),
  },
  {
    name: 'a2-after-effect',
    decides: ['a2=skip'],
    how: 'gate post-a2 closed: a1 ended, a2 effect done, no step:end',
    held: ['post-a2'],
  },
  {
    name: 'kick-idempotent',
    decides: ['kick=rerun by policy: idempotent step'],
    how: 'gate pre-kick closed: an idempotent step in flight',
    held: ['pre-kick'],
    ready: (r) => has(r, 'step:start', 'kick'),
  },
  {
    name: 'fanout-starts-mid-commit',
    decides: [],
    how: 'table lock: kick ended, the parallel step:start batch of p1-p3 waiting',
    commits: (r) => has(r, 'step:end', 'kick'),
    inFlight: (f) => ['p1', 'p2', 'p3'].every((p) => has(f, 'step:start', p)),
  },
  {
    name: 'fanout-none-done',
    decides: ['p1=rerun', 'p2=rerun', 'p3=rerun'],
    how: 'gates pre-p1..p3 closed: three parallel steps started, no effect',
    held: ['pre-p1', 'pre-p2', 'pre-p3'],
    ready: (r) => ['p1', 'p2', 'p3'].every((p) => has(r, 'step:start', p)),
  },
  {
    name: 'fanout-mixed',
    decides: ['p2=skip', 'p3=rerun'],
    how: 'gates post-p2, pre-p3 closed: p1 ended, p2 effect done, p3 not',
    held: ['post-p2', 'pre-p3'],
    ready: (r) => has(r, 'step:end', 'p1') && has(r, 'step:start', 'p3'),
  },
  {
    name: 'fanout-ends-mid-group-commit',
    decides: ['p1=skip', 'p2=skip', 'p3=skip'],
    how: 'gates post-p1..p3 closed, then table lock and gates opened: three step:end in one waiting group commit',
    held: ['post-p1', 'post-p2', 'post-p3'],
    reach: reachParallelEnds,
  },
  {
    name: 'check-idempotent',
    decides: ['check=rerun by policy: idempotent step'],
    how: 'gate pre-check closed: the idempotent check in flight',
    held: ['pre-check'],
    ready: (r) => has(r, 'step:start', 'check'),
  },
  {
    name: 'last-before-effect',
    decides: ['last=rerun'],
    how: 'gate pre-last closed',
    held: ['pre-last'],
    ready: (r) => has(r, 'step:start', 'last'),
  },
  { name: 'last-after-effect', decides: ['last=skip'], how: 'gate post-last closed', held: ['post-last'] },
  {
    name: 'run-end-mid-commit',
    decides: [],
    how: 'table lock: every step ended, run:end waiting',
    commits: (r) => has(r, 'step:end', 'last') && r.at(-1)?.type === 'phase:end',
    inFlight: (f) => has(f, 'run:end'),
  },
  {
    name: 'rollback-start-mid-commit',
    decides: [],
    how: 'check fails; table lock: step:end check (failed) committed, the next batch (rollback:start) waiting',
    fail: true,
    commits: (r) => has(r, 'step:end', 'check'),
    inFlight: (f) => has(f, 'rollback:start'),
  },
  {
    name: 'first-compensation-before-effect',
    decides: ['rollback:p*=rerun'],
    how: 'check fails; gates undo-pre-p1..p3 closed: the first compensation started, no effect',
    fail: true,
    held: ['undo-pre-p1', 'undo-pre-p2', 'undo-pre-p3'],
  },
  {
    name: 'a2-compensation-after-effect',
    decides: ['rollback:a2=skip'],
    how: 'check fails; gate undo-post-a2 closed: a2 undone, no rollback:step',
    fail: true,
    held: ['undo-post-a2'],
  },
  {
    name: 'a2-compensation-mid-commit',
    decides: ['rollback:a2=skip'],
    how: 'check fails; table lock: a2 undone, its rollback:step waiting',
    fail: true,
    commits: (r, m) => effects(m).includes('a2 undo') && !has(r, 'rollback:step', 'a2'),
    inFlight: (f) => has(f, 'rollback:step', 'a2'),
  },
  {
    name: 'a1-compensation-before-effect',
    decides: ['rollback:a1=rerun'],
    how: 'check fails; gate undo-pre-a1 closed',
    fail: true,
    held: ['undo-pre-a1'],
  },
  {
    name: 'a1-compensation-after-effect',
    decides: ['rollback:a1=skip'],
    how: 'check fails; gate undo-post-a1 closed',
    fail: true,
    held: ['undo-post-a1'],
  },
  {
    name: 'rolled-back-run-end-mid-commit',
    decides: [],
    how: 'check fails; table lock: rollback:end committed, run:end waiting',
    fail: true,
    commits: (r) => has(r, 'rollback:end'),
    inFlight: (f) => has(f, 'run:end'),
  },
];

/** The three parallel steps wait after their effects; then their step:end records meet in one waiting batch. */
async function reachParallelEnds(c: Ctx): Promise<void> {
  const pids = ['p1', 'p2', 'p3'].map((p) => `post-${p}`);
  await waitFor(() => pids.every((g) => pidAt(c.gates, g)), 'p1-p3 after their effects', 60_000);
  await c.gate.hold();
  for (const g of pids) writeFileSync(join(c.gates, `go-${g}`), '');
  await c.gate.blocked(60_000, () => c.runner.child.exitCode !== null);
  // The first step:end waits in its INSERT; the other two queue behind it in the group commit.
  // The file journal is written at the same time as the database: it shows all three emitted.
  await waitFor(
    () => ['p1', 'p2', 'p3'].every((p) => has(fileRecords(c), 'step:end', p)),
    'the three step:end records to be emitted',
    60_000,
  );
  const committed = await rows(c);
  expect(['p1', 'p2', 'p3'].filter((p) => has(committed, 'step:end', p))).toEqual([]);
}

/** A's local file journal (the last line may be torn: the writer may be in the middle of it). */
function fileRecords(c: Ctx): Rows {
  try {
    return parseAuditText(readFileSync(join(c.rootA, '.runbook', 'runs', c.runId(), 'audit.jsonl'), 'utf8')).records;
  } catch {
    return [];
  }
}

let cluster: PgCluster | undefined;
let template: string;
const dirs: string[] = [];
let databases = 0;
const writerPassword = 'two-Runner-' + Math.random().toString(36).slice(2);
const summary = { points: 0, completed: 0, duplicated: 0, verified: 0 };

beforeAll(async () => {
  template = compiledRoot('runbook-two-runner-', { 'two-runner.yaml': twoRunnerRunbook });
  dirs.push(template);
  if (noPostgres) return;
  cluster = await startPostgres();
  const c = new pg.Client({ connectionString: cluster.primaryUrl });
  await c.connect();
  await c.query(`CREATE ROLE two_runner_writer LOGIN PASSWORD '${writerPassword}'`);
  await c.end();
}, 120_000);

afterAll(async () => {
  await killRunners();
  await cluster?.stop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  // The closing note quotes the points and this line.
  console.log(points.map((p, i) => `${String(i + 1).padStart(2)}. ${p.name}: ${p.how}`).join('\n'));
  console.log(
    `two-runner kill -9: ${summary.points} points, ${summary.completed}/${summary.points} runs completed, ${summary.duplicated} duplicated effects, ${summary.verified}/${summary.points} chains verified`,
  );
}, 60_000);

/** A checkout of the runbooks repository: the compiled runbooks, no `.runbook/`. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'runbook-runner-'));
  dirs.push(root);
  for (const dir of ['runbooks', 'generated']) cpSync(join(template, dir), join(root, dir), { recursive: true });
  return root;
}

/** Kills A at the point; returns the run id. */
async function killAt(point: Point, c: Ctx): Promise<string> {
  const gone = () => c.runner.child.exitCode !== null;
  if (point.commits) {
    // The run id is printed once run:start is journaled: the first batches pass unseen.
    for (;;) {
      await c.gate.blocked(60_000, gone);
      if (/^run id: /m.test(c.runner.output()) && point.commits(await rows(c), c.marker)) break;
      await c.gate.passOne();
    }
    if (point.inFlight)
      await waitFor(() => point.inFlight!(fileRecords(c)), `${point.name}: the batch in flight`, 60_000);
  } else if (point.reach) {
    await point.reach(c);
  } else {
    await waitFor(() => /^run id: /m.test(c.runner.output()) || gone(), 'the run id', 60_000);
    const held = point.held ?? [];
    await waitFor(() => held.some((g) => pidAt(c.gates, g)) || gone(), `A to reach ${point.name}`, 60_000);
    if (point.ready) await waitForAsync(async () => point.ready!(await rows(c)), `${point.name} committed`);
  }
  expect(gone(), c.runner.output()).toBe(false);
  const runId = c.runId();
  await c.runner.killGroup();
  await c.gate.release();
  // The scripts at the held gates die with A (the product's watchdog) before the gates open.
  for (const g of point.held ?? []) {
    const pid = pidAt(c.gates, g);
    if (pid) await waitFor(() => !processRunning(pid), `A's script at ${g} to end`, 30_000);
  }
  return runId;
}

async function rows(c: Ctx): Promise<Rows> {
  return (await readAuditRows(c.admin, c.runId())).map((r) => r.record);
}

async function waitForAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Runner B: `runbook resume`, and for each in-doubt step it names, the operator's decision from
 * the marker file (the effect is in place: skip; it is not: rerun), until it runs.
 */
async function resumeAsOperator(runId: string, root: string, url: string, marker: string) {
  const decisions: string[] = [];
  for (;;) {
    const args = ['resume', runId, '--root', root, '--as', '@ops-b', '--audit-db', url];
    const r = await runCliAsync([...args, ...decisions.flatMap((d) => ['--decide', d])], {}, 180_000, root);
    const asked = /--decide (\S+)=rerun/.exec(r.stderr);
    if (r.status !== 6 || !asked || decisions.some((d) => d.startsWith(`${asked[1]}=`))) return { ...r, decisions };
    // A compensation (`rollback:<step>`) completed when the effect is no longer in place.
    const undo = asked[1].startsWith('rollback:');
    const step = undo ? asked[1].slice('rollback:'.length) : asked[1];
    const completed = effectInPlace(marker, step) !== undo;
    decisions.push(`${asked[1]}=${completed ? 'skip' : 'rerun'}`);
  }
}

describe.skipIf(noPostgres)('two runners, one PostgreSQL: kill -9 of A at 20 points, B resumes', () => {
  it('has 20 points', () => expect(points).toHaveLength(20));

  describe.each(points.map((p, i) => ({ ...p, n: i + 1 })))('point $n: $name', (point) => {
    it(
      'B completes the run with no duplicated effect, and its chain verifies in the database',
      { timeout: 240_000 },
      async () => {
        summary.points++;
        const db = await newAuditDatabase(cluster!, `two_runner_${++databases}`, {
          user: 'two_runner_writer',
          password: writerPassword,
        });
        const caseDir = mkdtempSync(join(tmpdir(), 'runbook-two-runner-case-'));
        dirs.push(caseDir);
        const gates = join(caseDir, 'gates');
        mkdirSync(gates);
        const marker = join(caseDir, 'effects');
        const open = (names: readonly string[]) => names.forEach((g) => writeFileSync(join(gates, `go-${g}`), ''));
        open(allGates.filter((g) => !point.held?.includes(g)));
        if (point.fail) writeFileSync(join(gates, 'fail'), '');
        const rootA = checkout();
        const gate = await AuditCommitGate.open(db.admin);
        try {
          if (point.commits) await gate.hold();
          const runner = startRunner(
            [
              'run',
              'two-runner',
              '--root',
              rootA,
              '--as',
              '@ops-a',
              '--audit-db',
              db.writer,
              '--input',
              `marker=${marker}`,
              '--input',
              `gates=${gates}`,
            ],
            rootA,
          );
          const ctx: Ctx = {
            admin: db.admin,
            rootA,
            gates,
            marker,
            runner,
            gate,
            runId: () => runIdOf(runner.output()),
          };
          const runId = await killAt(point, ctx);
          open(allGates);

          // Runner B: another checkout, its `.runbook/` empty: the run comes from the database alone.
          const rootB = checkout();
          mkdirSync(join(rootB, '.runbook'));
          const b = await resumeAsOperator(runId, rootB, db.writer, marker);
          const expected = point.fail ? 'rolled-back' : 'succeeded';
          const records = (await readAuditRows(db.admin, runId)).map((r) => r.record);
          const end = records.at(-1);
          const completed = end?.type === 'run:end' && (end.data as { status: string }).status === expected;
          const duplicated = duplicatedEffects(marker);
          const verified = await verifyAuditDb(db.admin, runId, { requireComplete: true });
          summary.completed += completed ? 1 : 0;
          summary.duplicated += duplicated.length;
          summary.verified += verified.ok && verified.complete ? 1 : 0;

          const context = `${b.stdout}${b.stderr}\ndecisions: ${b.decisions.join(' ')}\neffects: ${effects(marker).join(', ')}`;
          expect(duplicated, context).toEqual([]);
          expect(b.status, context).toBe(point.fail ? 5 : 0);
          expect(completed, context).toBe(true);
          expect(verified.firstBad, context).toBeUndefined();
          expect(verified.ok && verified.complete).toBe(true);
          const decided = records
            .filter((r) => r.type === 'operator:decision')
            .map((r) => r.data as { stepId: string; decision: string; by: string })
            .map((d) => `${d.stepId}=${d.decision}${d.by === '@ops-b' ? '' : ` by ${d.by}`}`)
            .sort();
          expect(decided, context).toHaveLength(point.decides.length);
          point.decides.forEach((d, i) =>
            expect(decided[i], context).toMatch(new RegExp(`^${d.replace('*', '[123]')}$`)),
          );
          // The final state: every effect in place once (succeeded), or every reversible one undone.
          for (const id of nonIdempotent) expect(effectInPlace(marker, id), `${id}: ${context}`).toBe(!point.fail);
          if (point.fail) expect(effects(marker)).not.toContain('last do');
          for (const id of reversible) expect(effects(marker)).toContain(`${id} do`);
        } finally {
          await gate.close();
        }
      },
    );
  });
});
