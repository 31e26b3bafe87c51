import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { verifyAudit } from '../../../executor/audit/verify.js';

/**
 * kill -9 of the executor at several points of a run, then `runbook resume`: no completed step
 * runs twice, the run completes, and the audit chain verifies with every event in it. Steps
 * append to marker files so executions are counted outside the executor.
 */
const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'runbook.js');
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
          idempotent: true
          run: sleep 1
        - id: slow
          run: |
            echo $$ > "$DIR/slow.pid"
            echo start >> "$DIR/slow"
            sleep 2
            echo end >> "$DIR/slow"
          env: { DIR: "{{inputs.marker_dir}}" }
        - id: idem
          idempotent: true
          run: |
            echo $$ > "$DIR/idem.pid"
            echo start >> "$DIR/idem"
            sleep 2
            echo end >> "$DIR/idem"
          env: { DIR: "{{inputs.marker_dir}}" }
        - id: last
          run: echo run >> "$DIR/last"
          env: { DIR: "{{inputs.marker_dir}}" }
`;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-crash-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'crash-test.yaml'), runbook);
  const c = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8' });
  expect(c.status, c.stdout + c.stderr).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const count = (dir: string, file: string, word: string) =>
  existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l === word).length : 0;

/** Starts a run, waits until the audit file holds a record matching `when`, then kills -9 everything. */
async function runAndKill(markers: string, when: (r: { type: string; stepId?: string }) => boolean): Promise<string> {
  const before = new Set(existsSync(join(root, '.runbook', 'runs')) ? readdirSync(join(root, '.runbook', 'runs')) : []);
  const child = spawn(process.execPath, [bin, 'run', 'crash-test', '--root', root, '--input', `marker_dir=${markers}`, '--as', '@ops'], { stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('kill point never reached');
    const runs = existsSync(join(root, '.runbook', 'runs')) ? readdirSync(join(root, '.runbook', 'runs')).filter((d) => !before.has(d)) : [];
    const file = runs[0] && join(root, '.runbook', 'runs', runs[0], 'audit.jsonl');
    if (file && existsSync(file) && parseAuditText(readFileSync(file, 'utf8')).records.some(when)) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      // A machine crash takes the step's processes too (they run in their own process group).
      // A script spawned just before the kill may write its pid a moment later: look again.
      for (const delay of [0, 300]) {
        await new Promise((r) => setTimeout(r, delay));
        for (const step of ['slow', 'idem']) {
          const pidFile = join(markers, `${step}.pid`);
          if (existsSync(pidFile)) try { process.kill(-Number(readFileSync(pidFile, 'utf8')), 'SIGKILL'); } catch { /* already gone */ }
        }
      }
      return runs[0];
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

function resume(runId: string, ...extra: string[]) {
  return spawnSync(process.execPath, [bin, 'resume', runId, '--root', root, '--as', '@ops', ...extra], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: 'true' } });
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
  const ended = new Set(records.filter((r) => r.type === 'step:end' && (r.data as { status: string }).status === 'succeeded').map((r) => r.stepId));
  expect([...ended].sort()).toEqual(['first', 'idem', 'last', 'pause', 'slow']);
  return records;
}

const markerDir = () => mkdtempSync(join(tmpdir(), 'runbook-markers-'));

describe('crash and resume (kill -9)', () => {
  // `pause` (idempotent, 1 s) separates `first` from `slow`, so this kill point lands before `slow`.
  it('killed before a non-idempotent step: resume runs it once, never the finished one again', async () => {
    const m = markerDir();
    const runId = await runAndKill(m, (r) => r.type === 'step:end' && r.stepId === 'first');
    const r = resume(runId);
    expect(r.status, r.stderr).toBe(0);
    expect([count(m, 'first', 'run'), count(m, 'slow', 'start'), count(m, 'slow', 'end'), count(m, 'last', 'run')]).toEqual([1, 1, 1, 1]);
    await expectCompleteAudit(runId);
  });

  it('killed during a non-idempotent step: resume refuses without a decision, then re-runs it as decided', async () => {
    const m = markerDir();
    const runId = await runAndKill(m, (r) => r.type === 'step:start' && r.stepId === 'slow' && count(m, 'slow', 'start') === 1);
    const refused = resume(runId);
    expect(refused.status).toBe(6);
    expect(refused.stderr).toContain('--decide slow=rerun');
    const r = resume(runId, '--decide', 'slow=rerun');
    expect(r.status, r.stderr).toBe(0);
    expect([count(m, 'first', 'run'), count(m, 'slow', 'start'), count(m, 'slow', 'end'), count(m, 'last', 'run')]).toEqual([1, 2, 1, 1]);
    const records = await expectCompleteAudit(runId);
    expect(records.find((x) => x.type === 'operator:decision')?.data).toMatchObject({ stepId: 'slow', decision: 'rerun', by: '@ops' });
  });

  it('killed after a non-idempotent step: resume does not run it again', async () => {
    const m = markerDir();
    const runId = await runAndKill(m, (r) => r.type === 'step:end' && r.stepId === 'slow');
    const r = resume(runId);
    expect(r.status, r.stderr).toBe(0);
    expect([count(m, 'slow', 'start'), count(m, 'slow', 'end'), count(m, 'idem', 'end'), count(m, 'last', 'run')]).toEqual([1, 1, 1, 1]);
    await expectCompleteAudit(runId);
  });

  it('killed during an idempotent step: resume re-runs it without asking', async () => {
    const m = markerDir();
    const runId = await runAndKill(m, (r) => r.type === 'step:start' && r.stepId === 'idem' && count(m, 'idem', 'start') === 1);
    const r = resume(runId);
    expect(r.status, r.stderr).toBe(0);
    expect([count(m, 'slow', 'start'), count(m, 'idem', 'start'), count(m, 'idem', 'end')]).toEqual([1, 2, 1]);
    const records = await expectCompleteAudit(runId);
    expect(records.find((x) => x.type === 'operator:decision')?.data).toMatchObject({ stepId: 'idem', decision: 'rerun', by: 'policy: idempotent step' });
  });

  it('a finished run cannot be resumed', async () => {
    const m = markerDir();
    const runId = await runAndKill(m, (r) => r.type === 'step:end' && r.stepId === 'first');
    const first = resume(runId);
    expect(first.status, first.stderr).toBe(0);
    const again = resume(runId);
    expect(again.status, again.stderr + again.stdout).toBe(6);
    expect(again.stderr).toContain('already ended (succeeded)');
  });
});
