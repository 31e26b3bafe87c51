import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * moto (an AWS API emulator nobody here wrote) as a loopback server for the AWS action tests.
 * It comes from the vendored tarball (../shared/vendor/moto-4.2.14.tar.gz, run on Debian's own
 * Python packages, see its README) or from an installed `moto` module (`pip install 'moto[server]'`).
 */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`: what AWS_ENDPOINT_URL points at. */
  readonly endpoint: string;
  /** The variables that send the SDK v3 clients (in a CLI child too) to this server, with fake credentials. */
  env(): Record<string, string>;
  /** Forgets every resource (POST /moto-api/reset): each test starts from an empty account. */
  reset(): Promise<void>;
  /** The tail of moto's own output (its tracebacks explain an HTTP 500): for assertion messages. */
  log(): string;
  /** How many requests moto has answered so far (one access-log line each): to wait for a poll. */
  requests(): number;
  /** Stops the server and removes its temp dir; safe to call twice. */
  stop(): Promise<void>;
}

const VERSION = '4.2.14';
/** Debian's interpreter: a python3 earlier on PATH (a venv, pyenv) may lack the packages. */
const PYTHON = process.env.RUNBOOK_MOTO_PYTHON ?? '/usr/bin/python3';
/** What moto.server imports (Debian packages python3-<name>, see .ci/run). */
const MODULES = [
  'boto3',
  'botocore',
  'werkzeug',
  'responses',
  'xmltodict',
  'jinja2',
  'cryptography',
  'yaml',
  'requests',
  'flask',
  'flask_cors',
  'dateutil',
];

/**
 * The vendored tarball: in `RUNBOOK_VENDOR_DIR` when set (.ci/run and the stress script set it,
 * since a clone elsewhere has no `shared/` next to it), else `shared/vendor` next to the
 * repository (or next to a worktree's parent).
 */
export function findMotoTarball(from = join(import.meta.dirname, '..', '..')): string | undefined {
  const given = process.env.RUNBOOK_VENDOR_DIR && join(process.env.RUNBOOK_VENDOR_DIR, `moto-${VERSION}.tar.gz`);
  if (given && existsSync(given)) return given;
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'vendor', `moto-${VERSION}.tar.gz`);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function pythonImports(modules: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (!existsSync(PYTHON)) return false;
  return (
    spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore', env, timeout: 30_000 }).status === 0
  );
}

/**
 * Why moto cannot run here, or undefined when it can: for `describe.skipIf(reason)` and its title.
 * Checked once per test file (a few Python imports, well under a second).
 */
export const motoUnavailable: string | undefined = (() => {
  if (!existsSync(PYTHON)) return `moto needs Debian's ${PYTHON} (set RUNBOOK_MOTO_PYTHON to another interpreter)`;
  if (pythonImports(['moto.server'])) return undefined;
  if (!findMotoTarball()) return `no moto: neither an installed moto module nor shared/vendor/moto-${VERSION}.tar.gz`;
  if (!pythonImports(MODULES))
    return `moto's Python packages are missing (apt-get install python3-boto3 python3-flask …, as .ci/run does)`;
  return undefined;
})();

let extracted: string | undefined;
/** Extracts the tarball once per process into a temp dir; the PYTHONPATH that finds moto in it. */
function motoPythonPath(): { path?: string; cleanup(): void } {
  if (pythonImports(['moto.server'])) return { cleanup() {} };
  if (!extracted) {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-moto-'));
    const r = spawnSync('tar', ['-xzf', findMotoTarball()!, '-C', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot extract moto: ${r.stderr}`);
    extracted = dir;
  }
  const dir = extracted;
  return {
    path: join(dir, `moto-${VERSION}`),
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      if (extracted === dir) extracted = undefined;
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
  });
}

/** Polls until moto answers (it imports every service on start: about half a second, more under load). */
async function waitReady(endpoint: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`moto exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts moto on 127.0.0.1 on a free port. One per test file (beforeAll), stopped in afterAll,
 * which vitest runs even when a test failed; reset() between tests.
 */
export async function startMoto(timeoutMs = 30_000): Promise<MotoServer> {
  if (motoUnavailable) throw new Error(motoUnavailable);
  const py = motoPythonPath();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    PYTHONPATH: [py.path, process.env.PYTHONPATH].filter(Boolean).join(':'),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  const child = spawn(PYTHON, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let requests = 0;
  let partial = '';
  // Keep only the tail: moto logs one line per request (werkzeug's access log: `"POST / HTTP/1.1" 200 -`).
  const keep = (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    requests += lines.filter((l) => / HTTP\/1\.[01]" \d{3} /.test(l)).length;
    log = (log + d.toString()).slice(-8_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(t);
    }
    py.cleanup();
  };
  try {
    await waitReady(endpoint, child, () => log, timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    env: () => ({
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      // Nothing but moto: no shared config, no instance metadata, no profile.
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      // A 5xx from moto is an answer to look at, not something to retry for seconds.
      AWS_MAX_ATTEMPTS: '1',
    }),
    async reset() {
      const r = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!r.ok) throw new Error(`moto reset answered ${r.status}`);
    },
    log: () => log,
    requests: () => requests,
    stop,
  };
}
