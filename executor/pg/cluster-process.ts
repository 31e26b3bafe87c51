import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';

/** The unprivileged account servers run as when this process is root (PostgreSQL refuses root). */
export interface ServerOwner {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * The account to run initdb/pg_ctl as: undefined when not root (run directly), else `postgres`,
 * created with useradd if missing. Children get uid/gid through spawn (libuv also drops root's
 * supplementary groups), which needs neither runuser nor a login shell.
 */
export function serverOwner(name = 'postgres'): ServerOwner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { name, uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
        stdio: 'ignore',
      });
    } catch {
      // Another process (a parallel test file starting its own cluster) may have just created it:
      // the lookup below decides.
    }
    return { name, uid: id('-u'), gid: id('-g') };
  }
}

/** Options of runCommand. */
export interface RunOptions {
  readonly owner?: ServerOwner;
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly env?: Record<string, string>;
}

/**
 * Runs a PostgreSQL tool to completion, killed after `timeoutMs`. Rejects with its output (which
 * never contains the password: it travels in files and PGPASSWORD only).
 */
export function runCommand(file: string, args: string[], options: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      // LC_ALL=C: messages the error tail can be matched against; PGTZ: UTC timestamps.
      env: { ...process.env, LC_ALL: 'C', PGTZ: 'UTC', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.owner ? { uid: options.owner.uid, gid: options.owner.gid } : {}),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1, options.timeoutMs));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${file} could not start: ${error.message}`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(output);
      const why =
        signal === 'SIGKILL'
          ? `was stopped after ${options.timeoutMs} ms (deadline)`
          : signal
            ? `was killed (${signal})`
            : `exited with ${code}`;
      reject(new Error(`${file.split('/').pop()} ${why}\n${tail(output, 15)}`.trimEnd()));
    });
  });
}

/**
 * Synchronous `pg_ctl stop -m immediate`, for process 'exit' hooks where nothing async runs.
 * Best effort: a server already gone is fine.
 */
export function stopServerSync(pgCtl: string, dataDir: string, owner: ServerOwner | undefined): void {
  if (!existsSync(`${dataDir}/postmaster.pid`)) return;
  spawnSync(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop'], {
    stdio: 'ignore',
    timeout: 15_000,
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
}

/** A TCP port free on 127.0.0.1 right now (the kernel picks it; a later bind may still lose a race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** The last `lines` lines of a text, for error messages that show what a tool or server said last. */
export function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** tail() of a file, or '' when it cannot be read. */
export function tailFile(path: string, lines = 20): string {
  try {
    return tail(readFileSync(path, 'utf8'), lines);
  } catch {
    return '';
  }
}
