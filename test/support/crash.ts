import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { bin, cliEnv } from './cli.js';

/** A CLI process the test may kill at a chosen point, and how it ended. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly ended: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** What it printed so far. */
  output(): string;
}

/** `runbook ARGS` in `cwd` (steps' relative paths resolve there), not waited for. */
export function startCli(args: string[], o: { cwd: string; env?: Record<string, string> }): CliProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: o.cwd,
    env: cliEnv(o.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    },
  );
  return { child, ended, output: () => stdout + stderr };
}

/** `runbook ARGS` run to its end (synchronously: the test serves nothing meanwhile). */
export function cliSync(args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: cliEnv(env), timeout: 60_000 });
}

/**
 * Polls `condition` until it holds; throws `what` after `timeoutMs`. Tests wait for states
 * (a file written, a process gone), never for a fixed time.
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Whether a process runs: it exists and is not a zombie (an orphan's zombie may wait for a
 * reaper that a container's PID 1 never is, and kill(pid, 0) still succeeds on it).
 */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** SIGKILL to a process group a test's step started; for cleanup after a failure. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The numbers in a file a step wrote (its pids), or [] while it is not written yet. */
export function pidsIn(file: string): number[] {
  try {
    const text = readFileSync(file, 'utf8');
    if (!text.endsWith('\n')) return [];
    return text
      .trim()
      .split(/\s+/)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}
