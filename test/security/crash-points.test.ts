import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { noPostgres } from '../executor/pg/context.js';
import { newAuditDatabase } from '../support/audit-db.js';
import { runIdOf } from '../support/cli.js';
import { cliSync, killGroup, pidsIn, processRunning, startCli, waitFor } from '../support/crash.js';

/**
 * The crash test: `kill -9` of the executor at 10 points, inside steps that write (before and
 * after their effect, in the top-level runbook and in a nested one), with and without
 * `--audit-db` (20 kills), up to five times in a row in one run; then `runbook resume` with the decisions an
 * operator would give (the effect is there: skip; it is not: rerun). Afterwards every
 * non-idempotent effect happened exactly once, the run completed, and the journal verifies
 * (`audit verify`, and `audit verify --db` with the database).
 *
 * Kill points are states, not times: every step writes "<pid>" to `<step>.pre` (step:start is
 * durable, journal first, the effect not done) and waits for `go-<step>-pre`, does its effect,
 * writes `<step>.post` and waits for `go-<step>-post`. All gates but the kill points' are open,
 * so the run stops exactly there; the harness then checks the journal ends with that step's
 * `step:start` and kills. One PostgreSQL cluster serves every case, one database per case (the
 * database lock is per runbook).
 */

interface Step {
  readonly id: string;
  readonly journalId: string;
  readonly idempotent: boolean;
}
const steps: readonly Step[] = [
  { id: 's1', journalId: 's1', idempotent: false },
  { id: 's2', journalId: 's2', idempotent: true },
  { id: 'c1', journalId: 'crash-child/c1', idempotent: false },
  { id: 'c2', journalId: 'crash-child/c2', idempotent: false },
  { id: 's3', journalId: 's3', idempotent: false },
];
type Point = `${'s1' | 's2' | 'c1' | 'c2' | 's3'}-${'pre' | 'post'}`;

/** A gated step; a non-idempotent one appends its id to `effects`, an idempotent one sets a state. */
function gated(s: Step, needs?: string): string {
  const effect = s.idempotent ? `echo ${s.id} > ${s.id}.state` : `echo ${s.id} >> effects`;
  return `
        - id: ${s.id}${needs ? `\n          needs: [${needs}]` : ''}
          idempotent: ${s.idempotent}
          run: |
            echo "$$" > ${s.id}.pre.tmp && mv ${s.id}.pre.tmp ${s.id}.pre
            until [ -e go-${s.id}-pre ]; do sleep 0.02; done
            ${effect}
            echo "$$" > ${s.id}.post.tmp && mv ${s.id}.post.tmp ${s.id}.post
            until [ -e go-${s.id}-post ]; do sleep 0.02; done`;
}

const [s1, s2, c1, c2, s3] = steps;
const parent = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: crash, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:${gated(s1)}${gated(s2, 's1')}
        - id: call
          uses: runbook
          with: { runbook: crash-child }
          needs: [s2]${gated(s3, 'call')}
`;
const child = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: crash-child, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:${gated(c1)}${gated(c2, 'c1')}
`;

/** Every kill point, in the order a run reaches them. */
const all: Point[] = steps.flatMap((s) => [`${s.id}-pre`, `${s.id}-post`] as Point[]);
let template: string;
let cluster: PgCluster | undefined;
const roots: string[] = [];
const groups: number[] = [];
let databases = 0;
const writerPassword = 'crash-Writer-' + Math.random().toString(36).slice(2);

beforeAll(async () => {
  template = mkdtempSync(join(tmpdir(), 'runbook-crashpoints-'));
  roots.push(template);
  mkdirSync(join(template, 'runbooks'));
  writeFileSync(join(template, 'runbooks', 'crash.yaml'), parent);
  writeFileSync(join(template, 'runbooks', 'crash-child.yaml'), child);
  const compiled = cliSync(['compile', '--root', template], template);
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
  if (!noPostgres) {
    cluster = await startPostgres();
    // As recommended: runs log in as a member of the writer role (INSERT/SELECT on the audit table).
    const c = new pg.Client({ connectionString: cluster.primaryUrl });
    await c.connect();
    await c.query(`CREATE ROLE crash_writer LOGIN PASSWORD '${writerPassword}'`);
    await c.end();
  }
}, 120_000);
afterAll(async () => {
  groups.forEach(killGroup);
  await cluster?.stop();
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

/** A database of its own for one case (the lock in the database is per runbook); the writer's URL. */
async function newDatabase(): Promise<string> {
  return (await newAuditDatabase(cluster!, `crash_${++databases}`, { user: 'crash_writer', password: writerPassword }))
    .writer;
}

/** A directory for one case with the compiled runbooks; every gate open except the kill points'. */
function newRoot(points: Point[]): string {
  const root = mkdtempSync(join(tmpdir(), 'runbook-crashcase-'));
  roots.push(root);
  for (const dir of ['runbooks', 'generated']) cpSync(join(template, dir), join(root, dir), { recursive: true });
  for (const s of steps)
    for (const at of ['pre', 'post'])
      if (!points.includes(`${s.id}-${at}` as Point)) writeFileSync(join(root, `go-${s.id}-${at}`), '');
  return root;
}

const effects = (root: string) =>
  existsSync(join(root, 'effects')) ? readFileSync(join(root, 'effects'), 'utf8').split('\n').filter(Boolean) : [];

/** The journal's records so far (the last line may be torn only if the executor died writing it). */
function journal(root: string, runId: string): { type: string; stepId?: string; data: Record<string, unknown> }[] {
  const text = readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as { type: string; stepId?: string; data: Record<string, unknown> });
}

/**
 * Waits until the process is inside the step at `point`, checks that the journal's last record
 * is that step's step:start (the executor is idle there), kills it with SIGKILL and waits for
 * the step's processes to end with it (the watchdog). Returns the run id it printed.
 */
async function killAt(root: string, cli: ReturnType<typeof startCli>, point: Point): Promise<string> {
  const [id, at] = point.split('-');
  const step = steps.find((s) => s.id === id)!;
  const marker = join(root, `${id}.${at}`);
  await waitFor(() => pidsIn(marker).length === 1 || cli.child.exitCode !== null, `the run to reach ${point}`, 60_000);
  const [pid] = pidsIn(marker);
  expect(pid, cli.output()).toBeGreaterThan(0);
  groups.push(pid);
  const runId = runIdOf(cli.output());
  expect(journal(root, runId).at(-1)).toMatchObject({ type: 'step:start', stepId: step.journalId });
  cli.child.kill('SIGKILL');
  expect((await cli.ended).signal).toBe('SIGKILL');
  await waitFor(() => !processRunning(pid), `step ${id} (pid ${pid}) to end with the executor`);
  writeFileSync(join(root, `go-${point}`), '');
  return runId;
}

/** What an operator decides for the step killed at `point`: skip when its effect is there, else rerun. */
function decision(root: string, point: Point): string[] {
  const step = steps.find((s) => s.id === point.split('-')[0])!;
  if (step.idempotent) return [];
  return ['--decide', `${step.journalId}=${effects(root).includes(step.id) ? 'skip' : 'rerun'}`];
}

/**
 * Each mode runs the ten points as two chains of five: a fresh run is killed at the chain's
 * first point, and every later kill lands in the process that resumed from the previous one (a
 * crash during recovery is the likely second crash). 20 kills; a chain costs one CLI start per
 * point, where a fresh run per point costs three.
 */
const cases: { mode: 'file' | 'db'; points: Point[]; label: string }[] = (['db', 'file'] as const).flatMap((mode) =>
  [all.slice(0, 5), all.slice(5)].map((points) => ({ mode, points, label: points.join(' → ') })),
);

describe.concurrent.each(cases)('kill -9 at $label ($mode)', ({ mode, points }) => {
  it.skipIf(mode === 'db' && noPostgres)(
    'resumes with no effect twice, every effect once, and a journal that verifies',
    async () => {
      const root = newRoot(points);
      const db = mode === 'db' ? ['--audit-db', await newDatabase()] : [];
      let cli = startCli(['run', 'crash', '--as', '@ops', '--root', root, ...db], { cwd: root });
      const runId = await killAt(root, cli, points[0]);
      for (const [i, point] of points.slice(1).entries()) {
        cli = startCli(['resume', runId, '--as', '@ops', '--root', root, ...db, ...decision(root, points[i])], {
          cwd: root,
        });
        expect(await killAt(root, cli, point)).toBe(runId);
      }
      const resumed = await startCli(
        ['resume', runId, '--as', '@ops', '--root', root, ...db, ...decision(root, points.at(-1)!)],
        { cwd: root },
      ).ended;
      expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);

      expect(effects(root).sort()).toEqual(['c1', 'c2', 's1', 's3']);
      // Every killed step was decided on: by policy when idempotent, else by the operator.
      const decided = journal(root, runId)
        .filter((r) => r.type === 'operator:decision')
        .map((r) => [r.data.stepId, r.data.by]);
      for (const point of points) {
        const step = steps.find((s) => s.id === point.split('-')[0])!;
        expect(decided).toContainEqual([
          step.journalId,
          step.idempotent ? 'policy: idempotent step' : expect.not.stringMatching(/^policy/),
        ]);
      }
      expect(readFileSync(join(root, 's2.state'), 'utf8')).toBe('s2\n');
      const verify = await startCli(['audit', 'verify', runId, '--root', root], { cwd: root }).ended;
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      if (mode === 'db') {
        const verifyDb = await startCli(['audit', 'verify', '--db', db[1], '--run', runId, '--root', root], {
          cwd: root,
        }).ended;
        expect(verifyDb.status, verifyDb.stdout + verifyDb.stderr).toBe(0);
      }
    },
    120_000,
  );
});
