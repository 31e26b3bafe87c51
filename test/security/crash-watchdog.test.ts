import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSync, killGroup, pidsIn, processRunning, startCli, waitFor } from '../support/crash.js';

/**
 * Step processes die with the executor: after `kill -9` of the executor, after a step's timeout
 * and after Ctrl-C, no process a step started is left running (an operator who decides "rerun"
 * at once must not get the effect twice). Through the CLI; each step writes "<bash pid> <child
 * pid>" once its processes run. The bash pid is also the step's process group id.
 */
let root: string;
const groups: number[] = [];

/** A script whose background child ignores SIGTERM: only SIGKILL, after the grace period, ends it. */
const script = (name: string) => `
          run: |
            sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null 2>&1 &
            echo "$$ $!" > "${join('PIDS', name)}.tmp" && mv "${join('PIDS', name)}.tmp" "${join('PIDS', name)}"
            wait`;

function runbook(name: string, extra = ''): string {
  return `apiVersion: runbook/v1
kind: Runbook
metadata: { name: ${name}, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: hold${script(name).replaceAll('PIDS', join(root, 'pids'))}
          idempotent: false${extra}
`;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-watchdog-'));
  mkdirSync(join(root, 'runbooks'));
  mkdirSync(join(root, 'pids'));
  writeFileSync(join(root, 'runbooks', 'hold.yaml'), runbook('hold'));
  writeFileSync(
    join(root, 'runbooks', 'stubborn-timeout.yaml'),
    runbook('stubborn-timeout', '\n          timeout: 1s'),
  );
  writeFileSync(join(root, 'runbooks', 'stubborn.yaml'), runbook('stubborn'));
  const compiled = cliSync(['compile', '--root', root], root);
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
});
afterAll(() => {
  groups.forEach(killGroup);
  rmSync(root, { recursive: true, force: true });
});

/** Starts `runbook run NAME` and resolves with the CLI and the step's pids once they run. */
async function startStep(name: string) {
  const cli = startCli(['run', name, '--as', '@ops', '--root', root], { cwd: root });
  const file = join(root, 'pids', name);
  await waitFor(() => pidsIn(file).length === 2 || cli.child.exitCode !== null, `the step of ${name} to start`);
  const pids = pidsIn(file);
  expect(pids, cli.output()).toHaveLength(2);
  groups.push(pids[0]);
  return { cli, pids };
}

/** Generous against load: the grace period is 5 s; without a watchdog they live for ever. */
const gone = (pids: number[]) =>
  waitFor(() => pids.every((p) => !processRunning(p)), `step processes ${pids.join(', ')} to end`, 20_000);

describe.concurrent('step processes die with the executor', () => {
  it('kill -9 of the executor ends the running step and its background children, even one that ignores SIGTERM', async () => {
    const { cli, pids } = await startStep('hold');
    cli.child.kill('SIGKILL');
    expect((await cli.ended).signal).toBe('SIGKILL');
    await gone(pids);
  });

  it('a step ended by its timeout leaves no process that ignores SIGTERM, though the executor exits first', async () => {
    const { cli, pids } = await startStep('stubborn-timeout');
    const end = await cli.ended;
    expect(end.status, end.stdout + end.stderr).not.toBe(0);
    expect(end.stdout + end.stderr).toMatch(/timed out|timed-out|timeout/i);
    await gone(pids);
  });

  it('Ctrl-C (SIGINT) ends the run and, after the grace period, the step processes that ignore SIGTERM', async () => {
    const { cli, pids } = await startStep('stubborn');
    cli.child.kill('SIGINT');
    const end = await cli.ended;
    expect(end.status, end.stdout + end.stderr).toBe(130);
    await gone(pids);
  });
});
