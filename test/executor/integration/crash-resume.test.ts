import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { verifyAudit } from '../../../executor/audit/verify.js';
import { bin, cliEnv, runIdOf } from '../../support/cli.js';

/**
 * kill -9 of the executor at several points of a run, then `runbook resume`: no completed step
 * runs twice, the run completes, and the audit chain verifies with every event in it. Steps
 * append to marker files so executions are counted outside the executor.
 *
 * No clock decides where the kill lands: `pause`, `slow` and `idem` each wait for a gate file
 * (`go-<step>`) the test creates, so the run cannot get past a closed gate, and the test kills
 * once the journal (and a marker) shows the point it wants. A step script orphaned by the kill
 * notices that its parent is no longer the runbook CLI and exits without writing anything more,
 * as if the crash had taken it too; gates are only opened after the kill, so an orphan can never
 * write `end`. (Not `$PPID`: a script forked just before the kill starts up already orphaned.)
 */
const gated = (step: string, markers: boolean) => `
          run: |
            alive() { grep -aq bin/runbook.js "/proc/$(cut -d' ' -f4 /proc/$$/stat)/cmdline" 2>/dev/null; }
            ${
              markers
                ? `alive || exit 1
            echo start >> "$DIR/${step}"
            `
                : ''
            }until [ -e "$DIR/go-${step}" ]; do alive || exit 1; sleep 0.02; done
            alive || exit 1${
              markers
                ? `
            echo end >> "$DIR/${step}"`
                : ''
            }
          env: { DIR: "{{inputs.marker_dir}}" }`;
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: crash-test, owner: "@acme/sre" }
spec:
  inputs: { marker_dir: { type: string, required: true } }
  phases:
    - id: work
      steps:
        - id: first
          run: echo run >> "$DIR/first"
          env: { DIR: "{{inputs.marker_dir}}" }
        - id: pause
          idempotent: true${gated('pause', false)}
        - id: slow${gated('slow', true)}
        - id: idem
          idempotent: true${gated('idem', true)}
        - id: last
          run: echo run >> "$DIR/last"
          env: { DIR: "{{inputs.marker_dir}}" }
`;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-crash-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'crash-test.yaml'), runbook);
  const c = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  expect(c.status, c.stdout + c.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const count = (dir: string, file: string, word: string) =>
  existsSync(join(dir, file))
    ? readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((l) => l === word).length
    : 0;

/** Opens the gates of these steps. */
const open = (markers: string, ...steps: string[]) => steps.forEach((s) => writeFileSync(join(markers, `go-${s}`), ''));
const openAll = (markers: string) => open(markers, 'pause', 'slow', 'idem');

/**
 * Starts a run, reads its id from stdout, waits until its journal holds a record matching `when`
 * (with the gates opened so far, the run cannot pass that point), then kills the executor with
 * SIGKILL. Returns the run id.
 */
async function runAndKill(markers: string, when: (r: { type: string; stepId?: string }) => boolean): Promise<string> {
  const child = spawn(
    process.execPath,
    [bin, 'run', 'crash-test', '--root', root, '--input', `marker_dir=${markers}`, '--as', '@ops'],
    { stdio: ['ignore', 'pipe', 'ignore'], env: cliEnv() },
  );
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  try {
    await vi.waitUntil(() => /^run id: /m.test(out), { timeout: 60_000, interval: 10 });
    const runId = runIdOf(out);
    const file = join(root, '.runbook', 'runs', runId, 'audit.jsonl');
    await vi.waitUntil(() => parseAuditText(readFileSync(file, 'utf8')).records.some(when), {
      timeout: 60_000,
      interval: 10,
    });
    return runId;
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

function resume(runId: string, ...extra: string[]) {
  return spawnSync(process.execPath, [bin, 'resume', runId, '--root', root, '--as', '@ops', ...extra], {
    encoding: 'utf8',
    timeout: 90_000,
    env: cliEnv(),
  });
}

async function expectCompleteAudit(runId: string) {
  const path = join(root, '.runbook', 'runs', runId, 'audit.jsonl');
  const v = await verifyAudit(path, { requireComplete: true });
  expect(v.firstBad).toBeUndefined();
  expect(v.ok && v.complete).toBe(true);
  const records = parseAuditText(readFileSync(path, 'utf8')).records;
  const types = records.map((r) => r.type);
  expect(types).toContain('run:start');
  expect(types).toContain('run:resume');
  expect(records.at(-1)?.type).toBe('run:end');
  expect((records.at(-1)?.data as { status: string }).status).toBe('succeeded');
  const ended = new Set(
    records
      .filter((r) => r.type === 'step:end' && (r.data as { status: string }).status === 'succeeded')
      .map((r) => r.stepId),
  );
  expect([...ended].sort()).toEqual(['first', 'idem', 'last', 'pause', 'slow']);
  return records;
}

let runs = 0;
const markerDir = () => {
  const dir = join(root, `markers-${++runs}`);
  mkdirSync(dir);
  return dir;
};

// Each test spawns three or four CLI processes: generous on a loaded machine.
describe('crash and resume (kill -9)', { timeout: 120_000 }, () => {
  // `pause` waits at its closed gate, so this kill point lands before `slow`.
  it('killed before a non-idempotent step: resume runs it once, never the finished one again', async () => {
    const m = markerDir();
    const runId = await runAndKill(m, (r) => r.type === 'step:end' && r.stepId === 'first');
    openAll(m);
    const r = resume(runId);
    expect(r.status, r.stderr).toBe(0);
    expect([
      count(m, 'first', 'run'),
      count(m, 'slow', 'start'),
      count(m, 'slow', 'end'),
      count(m, 'last', 'run'),
    ]).toEqual([1, 1, 1, 1]);
    await expectCompleteAudit(runId);
  });

  it('killed during a non-idempotent step: resume refuses without a decision, then re-runs it as decided', async () => {
    const m = markerDir();
    open(m, 'pause');
    const runId = await runAndKill(
      m,
      (r) => r.type === 'step:start' && r.stepId === 'slow' && count(m, 'slow', 'start') === 1,
    );
    const refused = resume(runId);
    expect(refused.status).toBe(6);
    expect(refused.stderr).toContain('--decide slow=rerun');
    openAll(m);
    const r = resume(runId, '--decide', 'slow=rerun');
    expect(r.status, r.stderr).toBe(0);
    expect([
      count(m, 'first', 'run'),
      count(m, 'slow', 'start'),
      count(m, 'slow', 'end'),
      count(m, 'last', 'run'),
    ]).toEqual([1, 2, 1, 1]);
    const records = await expectCompleteAudit(runId);
    expect(records.find((x) => x.type === 'operator:decision')?.data).toMatchObject({
      stepId: 'slow',
      decision: 'rerun',
      by: '@ops',
    });
  });

  it('killed after a non-idempotent step: resume does not run it again', async () => {
    const m = markerDir();
    open(m, 'pause', 'slow');
    const runId = await runAndKill(m, (r) => r.type === 'step:end' && r.stepId === 'slow');
    openAll(m);
    const r = resume(runId);
    expect(r.status, r.stderr).toBe(0);
    expect([
      count(m, 'slow', 'start'),
      count(m, 'slow', 'end'),
      count(m, 'idem', 'end'),
      count(m, 'last', 'run'),
    ]).toEqual([1, 1, 1, 1]);
    await expectCompleteAudit(runId);
  });

  it('killed during an idempotent step: resume re-runs it without asking', async () => {
    const m = markerDir();
    open(m, 'pause', 'slow');
    const runId = await runAndKill(
      m,
      (r) => r.type === 'step:start' && r.stepId === 'idem' && count(m, 'idem', 'start') === 1,
    );
    openAll(m);
    const r = resume(runId);
    expect(r.status, r.stderr).toBe(0);
    expect([count(m, 'slow', 'start'), count(m, 'idem', 'start'), count(m, 'idem', 'end')]).toEqual([1, 2, 1]);
    const records = await expectCompleteAudit(runId);
    expect(records.find((x) => x.type === 'operator:decision')?.data).toMatchObject({
      stepId: 'idem',
      decision: 'rerun',
      by: 'policy: idempotent step',
    });
  });

  it('a finished run cannot be resumed', async () => {
    const m = markerDir();
    const runId = await runAndKill(m, (r) => r.type === 'step:end' && r.stepId === 'first');
    openAll(m);
    const first = resume(runId);
    expect(first.status, first.stderr).toBe(0);
    const again = resume(runId);
    expect(again.status, again.stderr + again.stdout).toBe(6);
    expect(again.stderr).toContain('already ended (succeeded)');
  });
});
