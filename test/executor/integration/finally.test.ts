import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import type { AuditRecord } from '../../../executor/audit/record.js';
import { verifyAudit } from '../../../executor/audit/verify.js';
import { bin, cliEnv, runIdOf } from '../../support/cli.js';

/**
 * `spec.finally` through the built CLI: finally steps run after the phases end however they end
 * (succeeded, failed, rolled back), see `run.status` and `steps.X.status`, keep going past a
 * failing finally step, are dry-runnable, and continue after kill -9 on `runbook resume` with
 * the phases' outcome read back from the journal. Steps append lines to `$DIR/log`, so what ran
 * (and how often) is counted outside the executor.
 *
 * The gated finally step waits for `$DIR/go`; the test kills the executor once the step's start
 * marker exists and opens the gate only after the kill. An orphaned script notices its parent is
 * no longer the runbook CLI and exits without writing (as in crash-resume.test.ts).
 */
const runbook = (name: string, onFailure: 'abort' | 'rollback') => `apiVersion: runbook/v1
kind: Runbook
metadata: { name: ${name}, owner: "@acme/sre" }
spec:
  onFailure: ${onFailure}
  inputs:
    dir: { type: string, required: true }
    mode: { type: choice, options: [ok, fail, early], default: ok }
    finally_fails: { type: boolean, default: false }
    gate: { type: boolean, default: false }
    phase_gate: { type: boolean, default: false }
  phases:
    - id: work
      steps:
        - id: early
          run: 'if [ "$MODE" = early ]; then exit 1; fi'
          env: { MODE: "{{inputs.mode}}" }
          estimate: 10s
        - id: create
          run: echo create >> "$DIR/log"
          env: { DIR: "{{inputs.dir}}" }
          estimate: 1m
          rollback: { run: echo undo-create >> "$DIR/log", env: { DIR: "{{inputs.dir}}" } }
        - id: breaks
          run: |
            echo "breaks-start $S" >> "$DIR/log"
            if [ "$MODE" = fail ]; then exit 1; fi
          env: { DIR: "{{inputs.dir}}", MODE: "{{inputs.mode}}", S: "{{run.status}}" }
          estimate: 2m
        - id: hold
          idempotent: true
          run: |
            alive() { grep -aq bin/runbook.js "/proc/$(cut -d' ' -f4 /proc/$$/stat)/cmdline" 2>/dev/null; }
            if [ "$GATE" != true ]; then exit 0; fi
            echo hold-start >> "$DIR/log"
            until [ -e "$DIR/go-phase" ]; do alive || exit 1; sleep 0.02; done
            echo hold-end >> "$DIR/log"
          env: { DIR: "{{inputs.dir}}", GATE: "{{inputs.phase_gate}}" }
  finally:
    - id: cleanup
      if: "{{eq steps.create.status 'succeeded'}}"
      run: echo "cleanup $S" >> "$DIR/log"
      env: { DIR: "{{inputs.dir}}", S: "{{run.status}}" }
      estimate: 30s
      timeout: 5m
    - id: broken-cleanup
      run: |
        if [ "$FF" = true ]; then exit 1; fi
        echo broken-cleanup-ok >> "$DIR/log"
      env: { DIR: "{{inputs.dir}}", FF: "{{inputs.finally_fails}}" }
    - id: wait-gate
      idempotent: true
      run: |
        alive() { grep -aq bin/runbook.js "/proc/$(cut -d' ' -f4 /proc/$$/stat)/cmdline" 2>/dev/null; }
        if [ "$GATE" != true ]; then exit 0; fi
        echo gate-start >> "$DIR/log"
        until [ -e "$DIR/go" ]; do alive || exit 1; sleep 0.02; done
        alive || exit 1
        echo gate-end >> "$DIR/log"
      env: { DIR: "{{inputs.dir}}", GATE: "{{inputs.gate}}" }
    - id: notify-failure
      if: "{{eq run.status 'failed'}}"
      run: echo "notify $MSG" >> "$DIR/log"
      env: { DIR: "{{inputs.dir}}", MSG: "run ended {{run.status}} ({{run.failed}})" }
`;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-finally-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'fin-abort.yaml'), runbook('fin-abort', 'abort'));
  writeFileSync(join(root, 'runbooks', 'fin-rollback.yaml'), runbook('fin-rollback', 'rollback'));
  const c = cli(['compile']);
  expect(c.status, c.stdout + c.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args, '--root', root], {
    encoding: 'utf8',
    timeout: 90_000,
    env: cliEnv(),
  });
}

let dirs = 0;
const newDir = () => {
  const dir = join(root, `markers-${++dirs}`);
  mkdirSync(dir);
  return dir;
};
const log = (dir: string) =>
  existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean) : [];
const records = (runId: string): AuditRecord[] =>
  parseAuditText(readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8')).records;
const index = (rs: AuditRecord[], type: string, stepId?: string) =>
  rs.findIndex((r) => r.type === type && (stepId === undefined || r.stepId === stepId));
const ended = (rs: AuditRecord[], stepId: string) =>
  (rs.find((r) => r.type === 'step:end' && r.stepId === stepId)?.data as { status: string } | undefined)?.status;

function run(name: string, dir: string, ...inputs: string[]) {
  const r = cli(['run', name, '--as', '@ops', '--input', `dir=${dir}`, ...inputs.flatMap((i) => ['--input', i])]);
  return { ...r, runId: runIdOf(r.stdout) };
}

describe('finally', { timeout: 120_000 }, () => {
  // `breaks` logs its `run.status`: `running` inside the phases.
  it('runs after the phases succeed, journaled as phase finally with the outcome it runs after', () => {
    const d = newDir();
    const r = run('fin-abort', d);
    expect(r.status, r.stderr).toBe(0);
    expect(log(d)).toEqual(['create', 'breaks-start running', 'cleanup succeeded', 'broken-cleanup-ok']);
    const rs = records(r.runId);
    const start = rs.find((x) => x.type === 'phase:start' && (x.data as { phaseId: string }).phaseId === 'finally');
    expect(start?.data).toEqual({ phaseId: 'finally', runStatus: 'succeeded', failed: [] });
    expect(index(rs, 'step:end', 'breaks')).toBeLessThan(rs.indexOf(start!));
    expect(rs.indexOf(start!)).toBeLessThan(index(rs, 'step:start', 'cleanup'));
    expect(ended(rs, 'notify-failure')).toBe('skipped');
    expect((rs.at(-1)!.data as { status: string }).status).toBe('succeeded');
  });

  it('runs after a failure: run.status is failed in if: and in templates, and the run still fails', () => {
    const d = newDir();
    const r = run('fin-abort', d, 'mode=fail');
    expect(r.status, r.stderr).toBe(4);
    expect(log(d)).toEqual([
      'create',
      'breaks-start running',
      'cleanup failed',
      'broken-cleanup-ok',
      'notify run ended failed (breaks)',
    ]);
    const rs = records(r.runId);
    expect(
      rs.find((x) => x.type === 'phase:start' && (x.data as { phaseId: string }).phaseId === 'finally')?.data,
    ).toMatchObject({ runStatus: 'failed', failed: ['breaks'] });
    expect(rs.at(-1)!.data).toMatchObject({ status: 'failed' });
  });

  it('steps.X.status: a step that never ran is not cleaned up', () => {
    const d = newDir();
    const r = run('fin-abort', d, 'mode=early');
    expect(r.status, r.stderr).toBe(4);
    // `create` never started (the run aborted at `early`): cleanup is skipped, the others run.
    expect(log(d)).toEqual(['broken-cleanup-ok', 'notify run ended failed (early)']);
    expect(ended(records(r.runId), 'cleanup')).toBe('skipped');
  });

  it('runs after the rollback completes, with run.status rolled-back', () => {
    const d = newDir();
    const r = run('fin-rollback', d, 'mode=fail');
    expect(r.status, r.stderr).toBe(5);
    expect(log(d)).toEqual([
      'create',
      'breaks-start running',
      'undo-create',
      'cleanup rolled-back',
      'broken-cleanup-ok',
    ]);
    const rs = records(r.runId);
    expect(index(rs, 'rollback:end')).toBeGreaterThan(0);
    expect(index(rs, 'rollback:end')).toBeLessThan(index(rs, 'step:start', 'cleanup'));
    // Finally steps are never compensated.
    expect(rs.filter((x) => x.type === 'rollback:step').map((x) => x.stepId)).toEqual(['create']);
    expect(rs.at(-1)!.data).toMatchObject({ status: 'rolled-back' });
  });

  it('a failing finally step fails the run, and the finally steps after it still run', () => {
    const d = newDir();
    const r = run('fin-abort', d, 'finally_fails=true');
    expect(r.status, r.stderr).toBe(4);
    expect(log(d)).toEqual([
      'create',
      'breaks-start running',
      'cleanup succeeded',
      'notify run ended failed (broken-cleanup)',
    ]);
    const rs = records(r.runId);
    expect([ended(rs, 'broken-cleanup'), ended(rs, 'wait-gate'), ended(rs, 'notify-failure')]).toEqual([
      'failed',
      'succeeded',
      'succeeded',
    ]);
    expect(rs.at(-1)!.data).toMatchObject({ status: 'failed', error: 'failed: broken-cleanup' });
  });

  it('dry run walks the finally steps without running them; plan lists them', () => {
    const d = newDir();
    const r = cli(['run', 'fin-abort', '--dry-run', '--as', '@ops', '--input', `dir=${d}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(log(d)).toEqual([]);
    const rs = records(runIdOf(r.stdout));
    for (const id of ['cleanup', 'broken-cleanup', 'wait-gate']) {
      expect(rs.find((x) => x.type === 'step:start' && x.stepId === id)?.data).toMatchObject({ dryRun: true });
    }
    const plan = cli(['plan', 'fin-abort', '--input', `dir=${d}`]);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Finally \[finally\]/);
    expect(plan.stdout).toContain('runs after the phases end, whatever the outcome');
    expect(plan.stdout).toMatch(/cleanup shell if \{\{eq steps\.create\.status 'succeeded'\}\}/);
  });

  it('kill -9 inside a finally step: resume continues the finally steps with the journaled outcome, re-running no finished step', async () => {
    const d = newDir();
    const child = spawn(
      process.execPath,
      [
        bin,
        'run',
        'fin-abort',
        '--root',
        root,
        '--as',
        '@ops',
        '--input',
        `dir=${d}`,
        '--input',
        'mode=fail',
        '--input',
        'gate=true',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'], env: cliEnv() },
    );
    const exited = new Promise((res) => child.once('exit', res));
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    try {
      await vi.waitUntil(() => log(d).includes('gate-start'), { timeout: 60_000, interval: 10 });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const runId = runIdOf(out);
    writeFileSync(join(d, 'go'), '');
    const r = cli(['resume', runId, '--as', '@ops']);
    expect(r.status, r.stdout + r.stderr).toBe(4);
    // The failed phase step is not run again: the phases had ended (failed) before the kill.
    expect(log(d)).toEqual([
      'create',
      'breaks-start running',
      'cleanup failed',
      'broken-cleanup-ok',
      'gate-start',
      'gate-start',
      'gate-end',
      'notify run ended failed (breaks)',
    ]);
    const rs = records(runId);
    expect(rs.find((x) => x.type === 'run:resume')?.data).toMatchObject({ inDoubt: ['wait-gate'] });
    expect(rs.at(-1)!.data).toMatchObject({ status: 'failed', error: 'failed: breaks' });
    const v = await verifyAudit(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), { requireComplete: true });
    expect(v.ok && v.complete).toBe(true);
  });

  it('Ctrl-C during the phases: finally waits for the resumed run to end, then runs once', async () => {
    const d = newDir();
    const child = spawn(
      process.execPath,
      [bin, 'run', 'fin-abort', '--root', root, '--as', '@ops', '--input', `dir=${d}`, '--input', 'phase_gate=true'],
      { stdio: ['ignore', 'pipe', 'ignore'], env: cliEnv() },
    );
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    try {
      await vi.waitUntil(() => log(d).includes('hold-start'), { timeout: 60_000, interval: 10 });
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      child.kill('SIGKILL');
    }
    const runId = runIdOf(out);
    // An interrupted run is not over: no cleanup yet (a resume may still need what it would remove).
    expect(log(d).filter((l) => l.startsWith('cleanup'))).toEqual([]);
    expect(
      records(runId).some((x) => x.type === 'phase:start' && (x.data as { phaseId: string }).phaseId === 'finally'),
    ).toBe(false);
    writeFileSync(join(d, 'go-phase'), '');
    const r = cli(['resume', runId, '--as', '@ops']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(log(d).filter((l) => l.startsWith('cleanup') || l === 'broken-cleanup-ok')).toEqual([
      'cleanup succeeded',
      'broken-cleanup-ok',
    ]);
    expect(records(runId).at(-1)!.data).toMatchObject({ status: 'succeeded' });
  });

  it('the compiler puts finally in the graph, the RTO analysis, the docs and the Mermaid graph', () => {
    const graph = JSON.parse(readFileSync(join(root, 'generated', 'graphs', 'fin-abort.json'), 'utf8'));
    expect(graph.phases.at(-1)).toMatchObject({
      id: 'finally',
      finally: true,
      steps: ['cleanup', 'broken-cleanup', 'wait-gate', 'notify-failure'],
    });
    const cleanup = graph.nodes.find((n: { id: string }) => n.id === 'cleanup');
    // No barrier edge: finally waits for the phases to end, not for their last step to succeed.
    expect(cleanup).toMatchObject({ finally: true, needs: [] });
    const rto = graph.rto;
    expect(rto.phases.map((p: { id: string }) => p.id)).toEqual(['work', 'finally']);
    expect(rto.phases[1]).toMatchObject({ expectedMs: 30_000, worstCaseMs: 300_000 });
    expect(rto.worstCaseMs).toBe(10_000 + 60_000 + 120_000 + 300_000);
    expect(rto.criticalPath).toContain('cleanup');
    const docs = readFileSync(join(root, 'generated', 'docs', 'Runbook-fin-abort.md'), 'utf8');
    // The overview diagram: one box per phase, the finally phase reached by a dotted "always".
    expect(docs).toMatch(/ {2}p_finally\["2\. Finally/);
    expect(docs).toContain('p_work -. always .-> p_finally');
    expect(docs).not.toContain('p_work --> p_finally');
    expect(docs).toMatch(/## Phase 2: Finally/);
    expect(docs).toContain('Runs after the phases end, whatever the outcome');
    // The IR's schema describes the new fields (additionalProperties is false there).
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(
      JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'ir.schema.json'), 'utf8')),
    );
    expect(validate(graph), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('finally: compiler checks', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'runbook-finally-bad-'));
    mkdirSync(join(dir, 'runbooks'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const validate = (finallyYaml: string, phaseExtra = '') => {
    writeFileSync(
      join(dir, 'runbooks', 'bad.yaml'),
      `apiVersion: runbook/v1
kind: Runbook
metadata: { name: bad, owner: "@acme/sre" }
spec:
  phases:
    - id: work
      steps:
        - id: restore
          run: echo restore${phaseExtra}
  finally:
${finallyYaml}`,
    );
    const r = spawnSync(process.execPath, [bin, 'validate', '--format', 'json', '--root', dir], {
      encoding: 'utf8',
      env: cliEnv(),
      timeout: 60_000,
    });
    return JSON.parse(r.stdout) as { diagnostics?: { code: string }[] } | { code: string }[];
  };
  const codes = (out: ReturnType<typeof validate>) =>
    (Array.isArray(out) ? out : (out.diagnostics ?? [])).map((x) => x.code);

  it('run.status and steps.X.status of any phase step are valid in finally', () => {
    expect(
      codes(
        validate(`    - id: note
      if: "{{eq steps.restore.status 'succeeded'}}"
      run: echo "$S"
      env: { S: "{{run.status}}" }
`),
      ),
    ).toEqual([]);
  });

  it('an unknown step in a finally condition, and run.<unknown>, are reported', () => {
    expect(
      codes(
        validate(`    - id: note
      if: "{{eq steps.restor.status 'succeeded'}}"
      run: echo "$S"
      env: { S: "{{run.stauts}}" }
`),
      ).sort(),
    ).toEqual(['unknown-root', 'unknown-step']);
  });

  it('a phase step cannot read a finally step; a finally step has no rollback', () => {
    expect(
      codes(
        validate(
          `    - id: note
      run: echo note
`,
          `
          env: { X: "{{steps.note.status}}" }`,
        ),
      ),
    ).toEqual(['non-ancestor-ref']);
    expect(
      codes(
        validate(`    - id: note
      run: echo note
      rollback: { run: echo undo }
      onFailure: continue
`),
      ),
    ).toEqual(['unknown-field', 'unknown-field']);
  });

  it('no phase may be called finally when spec.finally is set', () => {
    writeFileSync(
      join(dir, 'runbooks', 'bad.yaml'),
      `apiVersion: runbook/v1
kind: Runbook
metadata: { name: bad, owner: "@acme/sre" }
spec:
  phases:
    - id: finally
      steps: [{ id: restore, run: echo restore }]
  finally:
    - { id: note, run: echo note }
`,
    );
    const r = spawnSync(process.execPath, [bin, 'validate', '--format', 'json', '--root', dir], {
      encoding: 'utf8',
      env: cliEnv(),
      timeout: 60_000,
    });
    expect((JSON.parse(r.stdout) as { code: string; line: number }[]).map((d) => [d.code, d.line])).toEqual([
      ['duplicate-id', 6],
    ]);
  });
});
