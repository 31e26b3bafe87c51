import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { spawnAsync } from './spawn-async.js';
import { processRunning, waitFor } from './crash.js';

/** Debian's redis-server and redis-tools (redis-cli, redis-check-rdb, redis-check-aof), as the runbooks use them. */
const tools = ['redis-server', 'redis-cli', 'redis-check-rdb', 'redis-check-aof'];
const onPath = (name: string) =>
  (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, name)));
const missingTool = tools.find((t) => !onPath(t));

/** Why the Redis end-to-end tests are skipped, or undefined when they can run. */
export const noRedis: string | undefined = missingTool
  ? `${missingTool} not found on PATH (Debian redis-server + redis-tools; .ci/run installs them): skipping real-Redis tests`
  : undefined;

/** A free TCP port on 127.0.0.1 (the OS picks it; another process could take it before Redis binds it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A throwaway redis-server, a child of this process, listening on 127.0.0.1 only. */
export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  /** SIGKILL (a throwaway server: nothing to save) and wait for its exit; a no-op once it exited. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server --port P --bind 127.0.0.1 --dir DIR --save '' --appendonly yes|no
 * --daemonize no`, logging to stdout, and resolves once it logged "Ready to accept connections"
 * (an event, not a timer). A port taken meanwhile makes it exit: it is retried on another port.
 */
export async function startRedis(dir: string, o: { aof: boolean }): Promise<RedisServer> {
  let lastLog = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', o.aof ? 'yes' : 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const ready = await readyOrExit(child);
    lastLog = ready.log;
    if (ready.ok) return { port, dir, stop: () => stopChild(child) };
  }
  throw new Error(`redis-server did not start:\n${lastLog}`);
}

function readyOrExit(child: ChildProcess): Promise<{ ok: boolean; log: string }> {
  return new Promise((resolve) => {
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, log: `${log}\n(not ready after 30 s)` });
    }, 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve({ ok: true, log });
      }
    });
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ ok: false, log });
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** `redis-cli -e -p PORT args…` (exits non-zero on an error reply); its stdout, trimmed. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const r = await spawnAsync('redis-cli', ['-e', '--raw', '-h', '127.0.0.1', '-p', String(port), ...args], {
    timeoutMs: 20_000,
  });
  if (r.status !== 0) throw new Error(`redis-cli ${args[0]} failed (${r.status}): ${r.stdout}${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}

/**
 * Ends a server the restore runbook daemonized (its pidfile `<dataDir>/redis-server.pid`), by
 * SIGKILL, and waits until it is gone. Safe to call when it never started or already ended.
 */
export async function killDaemon(dataDir: string): Promise<void> {
  const pidfile = `${dataDir}/redis-server.pid`;
  if (!existsSync(pidfile)) return;
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  if (!(pid > 0) || !processRunning(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitFor(() => !processRunning(pid), `redis-server ${pid} to exit`);
}
