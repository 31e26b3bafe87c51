import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { freePort, runCommand, serverOwner, stopServerSync, tailFile, type ServerOwner } from './cluster-process.js';

/** Where the PostgreSQL 15 binaries are; RUNBOOK_PG_BIN overrides it. */
export const pgBinDir = process.env.RUNBOOK_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A throwaway primary (and standby) on 127.0.0.1, for integration tests and local failover drills. */
export interface PgCluster {
  /** `postgres://postgres:<generated password>@127.0.0.1:<port>/postgres`. */
  readonly primaryUrl: string;
  /** Same credentials, the standby's port; only with `standby: true`. */
  readonly standbyUrl?: string;
  /** The temporary directory holding data directories, logs and sockets. */
  readonly dir: string;
  readonly primaryPort: number;
  readonly standbyPort?: number;
  /** How long startPostgres took, in ms. */
  readonly startupMs: number;
  /** Stops both servers (immediate mode: it is a throwaway) and removes the directory. Idempotent. */
  stop(): Promise<void>;
  /** Stops only the primary, abruptly, like a crash: the standby stays up for a failover. */
  stopPrimary(): Promise<void>;
}

/** Options of startPostgres. */
export interface StartPostgresOptions {
  /** Also build a streaming standby with pg_basebackup (default false). */
  readonly standby?: boolean;
  /** Use this directory (created if missing, removed by stop() only if created) instead of a new temp dir. */
  readonly dir?: string;
  /** Progress lines; silent by default. */
  readonly log?: (line: string) => void;
  /** Bound of the whole startup (default 60 s). */
  readonly timeoutMs?: number;
  /** More postgresql.conf lines for the primary (the standby copies them), e.g. `track_commit_timestamp = on`. */
  readonly settings?: readonly string[];
}

const superuser = 'postgres';

/**
 * Starts a throwaway PostgreSQL primary, and with `standby` a streaming standby, each on a free
 * port of 127.0.0.1 with scram-sha-256 and a generated password (so the URLs carry a secret to
 * mask). Resolves once the standby is in recovery and shown as streaming by pg_stat_replication.
 * When run as root, servers run as the `postgres` user. A process 'exit' hook stops the servers
 * if stop() is never called. On failure, everything started is stopped and the error includes
 * the tail of the server log.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PgCluster> {
  const started = Date.now();
  const s = newSetup(options, started);
  const pgCtl = join(pgBinDir, 'pg_ctl');
  // Synchronous: 'exit' listeners cannot wait for anything.
  const onExit = () => {
    for (const dataDir of [...s.running].reverse()) stopServerSync(pgCtl, dataDir, s.owner);
    removeDir(s.dir, s.created);
  };
  process.on('exit', onExit);
  try {
    await initPrimary(s, options.settings ?? []);
    const primaryPort = await startServer(s, 'primary');
    const standbyPort = options.standby ? await startStandby(s, primaryPort) : undefined;
    const startupMs = Date.now() - started;
    s.log(`postgres: ready in ${startupMs} ms (${s.dir})`);
    return clusterHandle(s, { primaryPort, standbyPort, startupMs, onExit });
  } catch (error) {
    onExit();
    process.off('exit', onExit);
    const message = error instanceof Error ? error.message : String(error);
    const hint =
      s.owner && /permission denied/i.test(message)
        ? `\n(hint: every parent of ${s.dir} must be searchable by user ${s.owner.name})`
        : '';
    throw new Error(`startPostgres failed after ${Date.now() - started} ms: ${message}${hint}`, { cause: error });
  }
}

/** What the steps of one startPostgres share. */
interface Setup {
  readonly dir: string;
  /** Whether startPostgres created `dir` (and so removes it). */
  readonly created: boolean;
  readonly owner: ServerOwner | undefined;
  readonly password: string;
  readonly deadline: number;
  readonly log: (line: string) => void;
  /** Data directories of the servers running, in start order (stopped in reverse). */
  readonly running: string[];
  exec(tool: string, args: string[], env?: Record<string, string>): Promise<string>;
  url(port: number): string;
}

function newSetup(options: StartPostgresOptions, started: number): Setup {
  const deadline = started + (options.timeoutMs ?? 60_000);
  const owner = serverOwner();
  const { dir, created } = prepareDir(options.dir, owner);
  const password = randomBytes(18).toString('base64url');
  return {
    dir,
    created,
    owner,
    password,
    deadline,
    log: options.log ?? (() => undefined),
    running: [],
    exec: (tool, args, env) =>
      runCommand(join(pgBinDir, tool), args, { owner, cwd: dir, timeoutMs: deadline - Date.now(), env }),
    url: (port) => `postgres://${superuser}:${password}@127.0.0.1:${port}/postgres`,
  };
}

/** initdb with the generated password (the password file is removed at once), then our settings. */
async function initPrimary(s: Setup, settings: readonly string[]): Promise<void> {
  const pwfile = join(s.dir, 'pwfile');
  writeOwned(pwfile, `${s.password}\n`, s.owner);
  await s.exec('initdb', [
    '-D',
    join(s.dir, 'primary'),
    '-U',
    superuser,
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  rmSync(pwfile, { force: true });
  configurePrimary(join(s.dir, 'primary'), s.dir, settings);
}

/** pg_ctl start on a fresh free port, retried when another process took the port meanwhile. */
async function startServer(s: Setup, name: string): Promise<number> {
  const dataDir = join(s.dir, name);
  const logFile = join(s.dir, `${name}.log`);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const seconds = String(Math.max(1, Math.floor((s.deadline - Date.now()) / 1000)));
    try {
      await s.exec('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', seconds, '-o', `-p ${port}`, 'start']);
      s.running.push(dataDir);
      s.log(`postgres: ${name} listening on 127.0.0.1:${port}`);
      return port;
    } catch (error) {
      if (attempt < 3 && /could not bind|already in use/i.test(tailFile(logFile, 5))) continue;
      throw withLogTail(error, logFile);
    }
  }
}

/** A streaming standby cloned with pg_basebackup; resolves with its port once it streams. */
async function startStandby(s: Setup, primaryPort: number): Promise<number> {
  const standbyDir = join(s.dir, 'standby');
  await s.exec(
    'pg_basebackup',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      superuser,
      '-D',
      standbyDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
    ],
    { PGPASSWORD: s.password },
  );
  // Our own primary_conninfo (last line wins over -R's): a known application_name to wait for.
  appendFileSync(
    join(standbyDir, 'postgresql.auto.conf'),
    `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=${superuser} password=${s.password} application_name=standby'\n`,
  );
  const standbyPort = await startServer(s, 'standby');
  await waitForStreaming(s.url(primaryPort), s.url(standbyPort), s.deadline);
  s.log('postgres: standby streaming from the primary');
  return standbyPort;
}

interface Started {
  readonly primaryPort: number;
  readonly standbyPort: number | undefined;
  readonly startupMs: number;
  readonly onExit: () => void;
}

/** The caller's handle on the running servers. */
function clusterHandle(s: Setup, { primaryPort, standbyPort, startupMs, onExit }: Started): PgCluster {
  const pgCtl = join(pgBinDir, 'pg_ctl');
  let stopped = false;
  return {
    primaryUrl: s.url(primaryPort),
    ...(standbyPort ? { standbyUrl: s.url(standbyPort), standbyPort } : {}),
    dir: s.dir,
    primaryPort,
    startupMs,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', onExit);
      for (const dataDir of [...s.running].reverse()) await stopServer(pgCtl, dataDir, s.owner);
      s.running.length = 0;
      removeDir(s.dir, s.created);
    },
    async stopPrimary() {
      const primaryDir = join(s.dir, 'primary');
      if (!s.running.includes(primaryDir)) return;
      await stopServer(pgCtl, primaryDir, s.owner);
      s.running.splice(s.running.indexOf(primaryDir), 1);
      s.log('postgres: primary stopped');
    },
  };
}

/** Settings of a disposable server: fast (no fsync), local only, ready to feed a streaming standby. */
function configurePrimary(dataDir: string, dir: string, settings: readonly string[]): void {
  // A Unix socket path must fit in ~107 bytes; without one, TCP still works.
  const sockets = join(dir, '.s.PGSQL.65535').length < 100 ? dir : '';
  appendFileSync(
    join(dataDir, 'postgresql.conf'),
    [
      '',
      '# runbook-as-code throwaway cluster',
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${sockets}'`,
      'fsync = off',
      'synchronous_commit = off',
      'wal_level = replica',
      'max_wal_senders = 10',
      "wal_keep_size = '128MB'",
      'hot_standby = on',
      "wal_receiver_status_interval = '1s'",
      'max_connections = 40',
      "shared_buffers = '16MB'",
      "timezone = 'UTC'",
      "log_timezone = 'UTC'",
      "lc_messages = 'C'",
      ...settings,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dataDir, 'pg_hba.conf'),
    [
      '# TYPE  DATABASE     USER  ADDRESS       METHOD',
      'local   all          all                 scram-sha-256',
      'host    all          all   127.0.0.1/32  scram-sha-256',
      'local   replication  all                 scram-sha-256',
      'host    replication  all   127.0.0.1/32  scram-sha-256',
      '',
    ].join('\n'),
  );
}

/** Polls until the standby is in recovery and the primary lists it as streaming. */
async function waitForStreaming(primaryUrl: string, standbyUrl: string, deadline: number): Promise<void> {
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const [standby] = await queryOnce(standbyUrl, 'select pg_is_in_recovery() as r');
      const [primary] = await queryOnce(
        primaryUrl,
        "select count(*)::int as n from pg_stat_replication where application_name = 'standby' and state = 'streaming'",
      );
      if (standby.r === true && Number(primary.n) > 0) return;
      last = `in recovery: ${standby.r}, streaming senders: ${primary.n}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`standby not streaming before the deadline (${last})`);
}

async function queryOnce(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function stopServer(pgCtl: string, dataDir: string, owner: ServerOwner | undefined): Promise<void> {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
  await runCommand(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], {
    owner,
    cwd: '/',
    timeoutMs: 35_000,
  }).catch(() => stopServerSync(pgCtl, dataDir, owner));
}

function prepareDir(requested: string | undefined, owner: ServerOwner | undefined): { dir: string; created: boolean } {
  const created = requested === undefined || !existsSync(requested);
  const dir = requested === undefined ? mkdtempSync(join(tmpdir(), 'runbook-pg-')) : resolve(requested);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return { dir, created };
}

/** Removes the directory if startPostgres created it, else only what it put there. */
function removeDir(dir: string, created: boolean): void {
  const paths = created
    ? [dir]
    : ['primary', 'standby', 'primary.log', 'standby.log', 'pwfile'].map((p) => join(dir, p));
  for (const path of paths) rmSync(path, { recursive: true, force: true });
}

function writeOwned(path: string, text: string, owner: ServerOwner | undefined): void {
  writeFileSync(path, text, { mode: 0o600 });
  if (owner) chownSync(path, owner.uid, owner.gid);
}

function withLogTail(error: unknown, logFile: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const tail = tailFile(logFile, 20);
  return new Error(tail ? `${message}\n--- ${logFile} (last lines) ---\n${tail}` : message, { cause: error });
}
