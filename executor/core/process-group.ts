import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * Step processes die with the executor. A step runs in a process group of its own (spawn with
 * `detached: true` is setsid(2), so the child leads a new session and group whose id is its pid),
 * and a watchdog outside that group holds one end of a pipe whose other end only the executor
 * holds (libuv opens its pipe ends close-on-exec, so no other child inherits them). When the
 * executor closes the pipe (the step ended, timed out or was cancelled) or dies (`kill -9`: the
 * kernel closes every descriptor of a dead process, and the reader then sees end-of-file), the
 * watchdog sends SIGTERM to the whole group (`kill -s TERM -- -PGID`, POSIX kill(2) with a
 * negative pid), and SIGKILL after the grace period to whatever is left. The watchdog runs in
 * its own session too, so a Ctrl-C at the terminal (SIGINT to the foreground group) does not
 * end it, and it outlives the executor by design: the SIGKILL no longer depends on the executor
 * still being alive when the grace period ends.
 *
 * The step does not start before its watchdog is armed: its wrapper waits for a `go` line on
 * descriptor 3, written only after the watchdog was spawned. An executor killed in between
 * leaves nothing running: the wrapper reads end-of-file and exits without running the step.
 */

/** Time between SIGTERM and SIGKILL to a step's process group. */
export const KILL_GRACE_MS = 5_000;

/**
 * The watchdog, for `sh` (dash, bash, busybox): `read` returns at end-of-file, which comes
 * only when the executor closed its end or died; nothing is ever written to it. It then polls
 * every 0.1 s whether the group still has members (`kill -0`) so it exits as soon as the group
 * is gone, and so never signals a group id the system may hand out again much later.
 */
const WATCHDOG = `pg=$1; ticks=$2
while IFS= read -r _; do :; done
kill -s TERM -- -"$pg" 2>/dev/null || exit 0
while [ "$ticks" -gt 0 ] && kill -s 0 -- -"$pg" 2>/dev/null; do sleep 0.1; ticks=$((ticks - 1)); done
kill -s KILL -- -"$pg" 2>/dev/null
exit 0`;

/** The step's wrapper: waits for `go` on fd 3, closes it (the step must not hold it), then becomes the step. */
const GATE = 'IFS= read -r go <&3 && [ "$go" = go ] || exit 125; exec 3<&-; exec "$@"';

/** A step process in its own group, watched; `end` ends the whole group. */
export interface SupervisedProcess {
  /** stdin is /dev/null; stdout and stderr are pipes. */
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** SIGTERM to the group now, SIGKILL after the grace period (by the watchdog); idempotent. */
  end(): void;
}

/**
 * Spawns `command args` as the leader of a new process group with a watchdog that ends the group
 * when `end()` is called or when this process dies. fd 3 is the start gate. The child's exit
 * code and signal are the command's (the wrapper execs it); a command that cannot be found
 * exits 127, as in a shell.
 */
export function spawnSupervised(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): SupervisedProcess {
  const spawned = spawn('sh', ['-c', GATE, 'runbook-step', command, ...args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const child = spawned as unknown as ChildProcessByStdio<null, Readable, Readable>;
  const gate = spawned.stdio[3] as Writable | null | undefined;
  const pid = child.pid;
  if (pid === undefined || !gate) {
    // Spawn failed; the child's 'error' event reports why.
    gate?.destroy();
    return { child, end: () => undefined };
  }
  gate.on('error', () => undefined);
  const watchdog = startWatchdog(pid, KILL_GRACE_MS);
  gate.end('go\n');
  let ended = false;
  return {
    child,
    end() {
      if (ended) return;
      ended = true;
      signalGroup(pid, 'SIGTERM');
      // Without a watchdog (it could not start), the SIGKILL is ours, if we still live by then.
      if (!watchdog.release()) setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    },
  };
}

/** The watchdog of group `pgid`: `release()` (or this process's death) makes it end the group. */
function startWatchdog(pgid: number, graceMs: number): { release(): boolean } {
  const ticks = String(Math.ceil(graceMs / 100));
  const dog = spawn('sh', ['-c', WATCHDOG, 'runbook-watchdog', String(pgid), ticks], {
    detached: true,
    // cwd '/': a watchdog must not pin a step's directory; env: only what sh needs to find sleep.
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  let failed = false;
  dog.on('error', () => (failed = true));
  dog.stdin?.on('error', () => undefined);
  // Neither the watchdog nor its pipe keeps the event loop (and so the executor) alive.
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    /** Whether a watchdog took over. */
    release() {
      dog.stdin?.destroy();
      return !failed && dog.exitCode === null && dog.signalCode === null;
    },
  };
}

/** kill(2) with a negative pid: the signal reaches every process of the group. */
function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}
