import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { startPostgres, type PgCluster } from '../../../executor/pg/cluster.js';
import { bin, cliEnv, runIdOf } from '../../support/cli.js';

/**
 * `runbook run` end to end through the built CLI, on runbooks compiled into a temp repository.
 * Each run is named by the id it printed, never guessed from .runbook/runs/.
 */
const secret = 's3cr3t-Pa55word-value';
const runbooks: Record<string, string> = {
  'echo.yaml': `apiVersion: runbook/v1
kind: Runbook
metadata: { name: echo-input, owner: "@acme/sre" }
spec:
  inputs: { value: { type: string, required: true }, out: { type: string, required: true } }
  secrets: [API_TOKEN]
  concurrency: echo-lock
  phases:
    - id: only
      steps:
        - id: write
          run: |
            printf '%s' "$VALUE" > "$OUT"
            echo "token is $TOKEN"
            echo "result=done" >> "$RUNBOOK_OUTPUT"
          env: { VALUE: "{{inputs.value}}", OUT: "{{inputs.out}}", TOKEN: "{{secrets.API_TOKEN}}" }
          outputs: { result: "{{result.outputs.result}}" }
        - id: leak-in-error
          if: '{{eq inputs.value "fail"}}'
          run: echo "bad token $TOKEN" >&2; exit 3
          env: { TOKEN: "{{secrets.API_TOKEN}}" }
`,
  'parent.yaml': `apiVersion: runbook/v1
kind: Runbook
metadata: { name: parent-run, owner: "@acme/sre" }
spec:
  inputs: { out: { type: string, required: true } }
  phases:
    - id: only
      steps:
        - id: child
          uses: runbook
          with: { runbook: echo-input, inputs: { value: from-parent, out: "{{inputs.out}}" } }
          outputs: { result: "{{result.outputs.write.result}}" }
        - id: use-child
          run: test "$R" = done
          env: { R: "{{steps.child.outputs.result}}" }
`,
  'outputs.yaml': `apiVersion: runbook/v1
kind: Runbook
metadata: { name: shell-outputs, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: produce
          run: echo "endpoint=db.example.com" >> "$RUNBOOK_OUTPUT"
        - id: consume
          run: test "$EP" = db.example.com
          env: { EP: "{{steps.produce.outputs.endpoint}}" }
`,
  // Holds its lock until the gate file exists: the test decides when the window ends, not a clock.
  'slow.yaml': `apiVersion: runbook/v1
kind: Runbook
metadata: { name: slow-run, owner: "@acme/sre" }
spec:
  inputs: { gate: { type: string, required: true } }
  concurrency: slow-lock
  phases:
    - id: only
      steps:
        - id: wait-for-gate
          idempotent: true
          run: until [ -e "$GATE" ]; do sleep 0.05; done
          env: { GATE: "{{inputs.gate}}" }
        - { id: after, run: echo after }
`,
  'retried.yaml': `apiVersion: runbook/v1
kind: Runbook
metadata: { name: retried-exit, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: always-fails
          idempotent: true
          retry: { attempts: 2, delay: 10ms, backoff: fixed }
          run: exit 3
`,
};

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-run-'));
  mkdirSync(join(root, 'runbooks'));
  for (const [f, t] of Object.entries(runbooks)) writeFileSync(join(root, 'runbooks', f), t);
  const c = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  expect(c.status, c.stdout + c.stderr).toBe(0);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args, '--root', root], {
    encoding: 'utf8',
    timeout: 90_000,
    env: cliEnv(env),
  });
}
const auditText = (runId: string) => readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8');
const journaled = (runId: string, type: string, stepId?: string) => {
  try {
    return parseAuditText(auditText(runId)).records.some(
      (r) => r.type === type && (stepId === undefined || r.stepId === stepId),
    );
  } catch {
    return false; // not written yet
  }
};
let gates = 0;
/** A gate file path for slow-run, unique to the caller; create it to let the run go on. */
const gatePath = () => join(root, `gate-${++gates}`);

// Every test spawns the CLI, some several times: generous on a loaded machine.
describe('runbook run', { timeout: 120_000 }, () => {
  it.each([`"; rm -rf / #`, '$(id)', '`id`', 'line one\nline two', 'it\'s "quoted" & $HOME'])(
    'input %j reaches the script as data',
    (value) => {
      const out = join(root, `out-${Math.random().toString(36).slice(2)}`);
      const r = cli(['run', 'echo-input', '--input', `value=${value}`, '--input', `out=${out}`, '--as', '@ops'], {
        API_TOKEN: secret,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(value);
    },
  );

  it('never shows a secret: not in step output, audit events, errors or the summary', () => {
    const out = join(root, 'out-secret');
    const ok = cli(['run', 'echo-input', '--input', 'value=x', '--input', `out=${out}`], { API_TOKEN: secret });
    const failed = cli(['run', 'echo-input', '--input', 'value=fail', '--input', `out=${out}`], { API_TOKEN: secret });
    expect(ok.status).toBe(0);
    expect(failed.status).toBe(4);
    for (const text of [
      ok.stdout,
      ok.stderr,
      failed.stdout,
      failed.stderr,
      auditText(runIdOf(ok.stdout)),
      auditText(runIdOf(failed.stdout)),
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(ok.stderr).toContain('token is ***');
    expect(failed.stderr + failed.stdout).toContain('bad token ***');
  });

  it('step:retry and step:end name the error by its code', () => {
    const r = cli(['run', 'retried-exit']);
    expect(r.status, r.stderr).toBe(4);
    const records = parseAuditText(auditText(runIdOf(r.stdout))).records;
    const of = (type: string) => records.filter((x) => x.type === type).map((x) => x.data);
    expect(of('step:retry')).toEqual([expect.objectContaining({ attempt: 1, code: 'shell-exit' })]);
    expect(of('step:end')).toEqual([expect.objectContaining({ status: 'failed', attempt: 2, code: 'shell-exit' })]);
  });

  it('refuses bad inputs and missing secrets before any step, with every problem listed', () => {
    const r = cli(['run', 'echo-input', '--input', 'valeu=x']);
    expect(r.status).toBe(6);
    expect(r.stderr).toContain('unknown input "valeu"');
    expect(r.stderr).toContain('input "value" is required');
    const s = cli(['run', 'echo-input', '--input', 'value=x', '--input', 'out=/dev/null']);
    expect(s.status).toBe(6);
    expect(s.stderr).toContain('missing secrets: API_TOKEN');
  });

  it("--dry-run calls each action's plan and changes nothing", () => {
    const out = join(root, 'dry-out');
    const r = cli(['run', 'echo-input', '--dry-run', '--input', 'value=x', '--input', `out=${out}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('[dry run] bash:');
    expect(() => readFileSync(out)).toThrow();
    expect(auditText(runIdOf(r.stdout))).toContain('"dryRun":true');
  });

  it('a second run of the same concurrency key is refused naming the holder; SIGINT stops, resume finishes', async () => {
    const gate = gatePath();
    const child = spawn(
      process.execPath,
      [bin, 'run', 'slow-run', '--input', `gate=${gate}`, '--root', root, '--as', '@first'],
      { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      // The first run holds the lock from before run:start until it ends; its step waits for the gate.
      await vi.waitUntil(() => /^run id: /m.test(out), { timeout: 60_000, interval: 20 });
      const runId = runIdOf(out);
      await vi.waitUntil(() => journaled(runId, 'step:start', 'wait-for-gate'), { timeout: 60_000, interval: 20 });
      const second = cli(['run', 'slow-run', '--input', `gate=${gate}`, '--as', '@second']);
      expect(second.status).toBe(6);
      expect(second.stderr).toMatch(/@first/);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(auditText(runId)).toContain('"type":"run:interrupted"');
      writeFileSync(gate, '');
      const resumed = cli(['resume', runId, '--as', '@first']);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(cli(['audit', 'verify', runId]).status).toBe(0);
    } finally {
      writeFileSync(gate, ''); // lets a step orphaned by a failed assertion end by itself
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('what a script writes to $RUNBOOK_OUTPUT is a step output, like GITHUB_OUTPUT', () => {
    const r = cli(['run', 'shell-outputs']);
    expect(r.status, r.stderr).toBe(0);
    const dry = cli(['run', 'shell-outputs', '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
  });

  it('a runbook step runs another runbook inside the same run and journal', () => {
    const out = join(root, 'nested-out');
    const r = cli(['run', 'parent-run', '--input', `out=${out}`], { API_TOKEN: secret });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('from-parent');
    const runId = runIdOf(r.stdout);
    const text = auditText(runId);
    expect(text).toContain('"stepId":"echo-input/write"');
    expect(text).not.toContain(secret);
    expect(cli(['audit', 'verify', runId]).status).toBe(0);
  });

  it('in a workflow: inputs only from RUNBOOK_INPUT_* env, dry run from RUNBOOK_DRY_RUN, job summary written', () => {
    const out = join(root, 'env-out');
    const summary = join(root, 'step-summary.md');
    const r = cli(['run', 'echo-input', '--inputs-from-env'], {
      API_TOKEN: secret,
      RUNBOOK_INPUT_VALUE: '"; curl x | sh #',
      RUNBOOK_INPUT_OUT: out,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_ACTOR: 'octocat',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('"; curl x | sh #');
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^## ✅ Echo input: succeeded/m); // the title, humanised from the name
    expect(md).toContain('by @octocat');
    expect(md).toMatch(/\| `write` +\| ✅ succeeded/);
    expect(md).not.toContain(secret);
    const dry = cli(['run', 'echo-input', '--inputs-from-env'], {
      RUNBOOK_INPUT_VALUE: 'x',
      RUNBOOK_INPUT_OUT: join(root, 'never'),
      RUNBOOK_DRY_RUN: 'true',
    });
    expect(dry.status, dry.stderr).toBe(0);
    expect(() => readFileSync(join(root, 'never'))).toThrow();
  });

  it('audit verify fails on a tampered copy, naming the record', () => {
    const run = cli(
      ['run', 'echo-input', '--input', 'value=x', '--input', `out=${join(root, 'tamper-out')}`, '--as', '@ops'],
      { API_TOKEN: secret },
    );
    expect(run.status, run.stderr).toBe(0);
    const runId = runIdOf(run.stdout);
    const path = join(root, 'tampered.jsonl');
    writeFileSync(path, auditText(runId).replace('"initiator":"@', '"initiator":"@x'));
    const r = cli(['audit', 'verify', path]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/hash-mismatch at line 1/);
  });
});

describe('audit database and the failover drill (real PostgreSQL)', { timeout: 120_000 }, () => {
  let pg: PgCluster;
  beforeAll(async () => {
    pg = await startPostgres({ standby: false });
    expect(cli(['audit', 'db-setup', '--audit-db', pg.primaryUrl]).status).toBe(0);
  }, 120_000);
  afterAll(async () => pg?.stop(), 60_000); // pg_ctl stop: seconds on a loaded machine

  it('--audit-db writes an append-only copy that verifies', () => {
    const gate = gatePath();
    writeFileSync(gate, ''); // open from the start: nothing to wait for here
    // The superuser owns nothing here but could alter anything: allowed explicitly (a test, not CI).
    const r = cli(['run', 'slow-run', '--input', `gate=${gate}`, '--audit-db', pg.primaryUrl, '--allow-owner-role']);
    expect(r.status, r.stderr).toBe(0);
    const runId = runIdOf(r.stdout);
    const v = cli(['audit', 'verify', '--db', pg.primaryUrl, '--run', runId]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toContain('chain intact');
    expect(v.stdout + v.stderr).not.toContain(pg.primaryUrl.split('@')[0].split(':').at(-1)!);
  });
});
