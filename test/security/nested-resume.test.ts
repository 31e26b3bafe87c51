import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIdOf } from '../support/cli.js';
import { cliSync, killGroup, pidsIn, processRunning, startCli, waitFor } from '../support/crash.js';

/**
 * Resume of a nested runbook (`uses: runbook`) restores the child's finished steps from the
 * journal instead of running them again, and the child's in-doubt steps need the same decisions
 * as top-level ones. The executor is killed (`kill -9`) while the child's second step waits,
 * after it wrote its effect. Effects are lines in `effects` (relative to the run's directory).
 */
let template: string;
const roots: string[] = [];
const groups: number[] = [];

/** A non-idempotent step: the effect, then "<pid>" in marker `id`, then waits for the file `go-<id>`. */
const step = (id: string, needs?: string) => `
        - id: ${id}${needs ? `\n          needs: [${needs}]` : ''}
          idempotent: false
          run: |
            echo ${id} >> effects
            echo "$$" > ${id}.tmp && mv ${id}.tmp ${id}.inside
            while [ ! -e go-${id} ]; do sleep 0.05; done`;

beforeAll(() => {
  template = mkdtempSync(join(tmpdir(), 'runbook-nested-'));
  roots.push(template);
  mkdirSync(join(template, 'runbooks'));
  writeFileSync(
    join(template, 'runbooks', 'outer.yaml'),
    `apiVersion: runbook/v1
kind: Runbook
metadata: { name: outer, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:${step('before')}
        - id: call
          uses: runbook
          with: { runbook: inner }
          needs: [before]${step('after', 'call')}
`,
  );
  writeFileSync(
    join(template, 'runbooks', 'inner.yaml'),
    `apiVersion: runbook/v1
kind: Runbook
metadata: { name: inner, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:${step('c1')}${step('c2', 'c1')}${step('c3', 'c2')}
`,
  );
  // The same child called by two steps: the journal cannot tell the calls' steps apart.
  writeFileSync(
    join(template, 'runbooks', 'twice.yaml'),
    `apiVersion: runbook/v1
kind: Runbook
metadata: { name: twice, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: first-call
          uses: runbook
          with: { runbook: inner }
        - id: second-call
          uses: runbook
          with: { runbook: inner }
          needs: [first-call]
`,
  );
  // A child whose failure rolls back its first step: after a resume, that step is done again.
  writeFileSync(
    join(template, 'runbooks', 'undo.yaml'),
    `apiVersion: runbook/v1
kind: Runbook
metadata: { name: undo, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: call
          uses: runbook
          with: { runbook: undo-child }
`,
  );
  writeFileSync(
    join(template, 'runbooks', 'undo-child.yaml'),
    `apiVersion: runbook/v1
kind: Runbook
metadata: { name: undo-child, owner: "@acme/sre" }
spec:
  onFailure: rollback
  phases:
    - id: only
      steps:
        - id: r1
          idempotent: false
          run: echo r1 >> effects
          rollback: { run: echo undo-r1 >> effects }
        - id: r2
          needs: [r1]
          run: |
            [ -e fix ]
            echo r2 >> effects
`,
  );
  const compiled = cliSync(['compile', '--root', template], template);
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
});
afterAll(() => {
  groups.forEach(killGroup);
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

/** A fresh copy of the compiled runbooks; `open` steps proceed at once, the others wait. */
function newRoot(open: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'runbook-nested-run-'));
  roots.push(root);
  for (const dir of ['runbooks', 'generated']) cpSync(join(template, dir), join(root, dir), { recursive: true });
  for (const id of open) writeFileSync(join(root, `go-${id}`), '');
  return root;
}

const effects = (root: string) =>
  existsSync(join(root, 'effects')) ? readFileSync(join(root, 'effects'), 'utf8').trim().split('\n') : [];

/** Runs `outer` until step `at` is inside (its effect written), then kills the executor with SIGKILL. */
async function killInside(root: string, at: string, runbook = 'outer'): Promise<string> {
  const run = startCli(['run', runbook, '--as', '@ops', '--root', root], { cwd: root });
  const marker = join(root, `${at}.inside`);
  await waitFor(() => pidsIn(marker).length === 1 || run.child.exitCode !== null, `step ${at} to be inside`);
  const [pid] = pidsIn(marker);
  expect(pid, run.output()).toBeGreaterThan(0);
  groups.push(pid);
  run.child.kill('SIGKILL');
  await run.ended;
  // The step's processes die with the executor (watchdog); wait for it rather than race it.
  await waitFor(() => !processRunning(pid), `step ${at} (pid ${pid}) to end with the executor`);
  return runIdOf(run.output());
}

describe('resume of a nested runbook', () => {
  it("restores the child's finished steps from the journal and asks about its in-doubt step", async () => {
    const root = newRoot(['before', 'c1', 'c3', 'after']);
    const runId = await killInside(root, 'c2');
    expect(effects(root)).toEqual(['before', 'c1', 'c2']);
    writeFileSync(join(root, 'go-c2'), '');

    // The child's in-doubt step needs a decision, under its journal id inner/c2.
    const blind = cliSync(['resume', runId, '--as', '@ops', '--root', root], root);
    expect(blind.status).not.toBe(0);
    expect(blind.stdout + blind.stderr).toMatch(/--decide inner\/c2=/);
    expect(effects(root)).toEqual(['before', 'c1', 'c2']);

    // The operator sees c2's effect: skip. `call=rerun` is what the old executor asked for.
    const resumed = cliSync(
      ['resume', runId, '--as', '@ops', '--root', root, '--decide', 'inner/c2=skip', '--decide', 'call=rerun'],
      root,
    );
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(effects(root)).toEqual(['before', 'c1', 'c2', 'c3', 'after']);
    const verify = cliSync(['audit', 'verify', runId, '--root', root], root);
    expect(verify.status, verify.stdout).toBe(0);
  });

  it("re-runs the child's in-doubt step when the operator decides so, and still not its finished steps", async () => {
    const root = newRoot(['before', 'c1', 'c3', 'after']);
    const runId = await killInside(root, 'c2');
    // The operator undoes c2's effect, then asks for a re-run.
    writeFileSync(join(root, 'effects'), 'before\nc1\n');
    writeFileSync(join(root, 'go-c2'), '');
    const resumed = cliSync(
      ['resume', runId, '--as', '@ops', '--root', root, '--decide', 'inner/c2=rerun', '--decide', 'call=rerun'],
      root,
    );
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(effects(root)).toEqual(['before', 'c1', 'c2', 'c3', 'after']);
  });

  it('does not restore a child that two steps call: the calling step in doubt needs a decision', async () => {
    const root = newRoot(['c1', 'c3']);
    const runId = await killInside(root, 'c2', 'twice');
    const blind = cliSync(['resume', runId, '--as', '@ops', '--root', root], root);
    expect(blind.status).not.toBe(0);
    expect(blind.stdout + blind.stderr).toMatch(/--decide first-call=/);
    expect(effects(root)).toEqual(['c1', 'c2']);
  });

  it('does again a child step that its rollback undid, and only that', () => {
    const root = newRoot([]);
    const run = cliSync(['run', 'undo', '--as', '@ops', '--root', root], root);
    expect(run.status, run.stdout + run.stderr).not.toBe(0);
    expect(effects(root)).toEqual(['r1', 'undo-r1']);
    writeFileSync(join(root, 'fix'), '');
    const resumed = cliSync(['resume', runIdOf(run.stdout), '--as', '@ops', '--root', root], root);
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(effects(root)).toEqual(['r1', 'undo-r1', 'r1', 'r2']);
  });
});
