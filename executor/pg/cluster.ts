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
  const deadline = started + (options.timeoutMs ?? 60_000);
  const log = options.log ?? (() => undefined);
  const owner = serverOwner();
  const { dir, created } = prepareDir(options.dir, owner);
  const password = randomBytes(18).toString('base64url');
  const pgCtl = join(pgBinDir, 'pg_ctl');
  const running: string[] = [];
  const exec = (tool: string, args: string[], env?: Record<string, string>) =>
    runCommand(join(pgBinDir, tool), args, { owner, cwd: dir, timeoutMs: deadline - Date.now(), env });
  const url = (port: number) => `postgres://${superuser}:${password}@127.0.0.1:${port}/postgres`;

  // Synchronous: 'exit' listeners cannot wait for anything.
  const onExit = () => {
    for (const dataDir of [...running].reverse()) stopServerSync(pgCtl, dataDir, owner);
    removeDir(dir, created);
  };
  process.on('exit', onExit);

  /** pg_ctl start on a fresh free port, retried when another process took the port meanwhile. */
  const startServer = async (name: string): Promise<number> => {
    const dataDir = join(dir, name);
    const logFile = join(dir, `${name}.log`);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const seconds = String(Math.max(1, Math.floor((deadline - Date.now()) / 1000)));
      try {
        await exec('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', seconds, '-o', `-p ${port}`, 'start']);
        running.push(dataDir);
        log(`postgres: ${name} listening on 127.0.0.1:${port}`);
        return port;
      } catch (error) {
        if (attempt < 3 && /could not bind|already in use/i.test(tailFile(logFile, 5))) continue;
        throw withLogTail(error, logFile);
      }
    }
  };

  try {
    const pwfile = join(dir, 'pwfile');
    writeOwned(pwfile, `${password}\n`, owner);
    await exec('initdb', [
      '-D',
      join(dir, 'primary'),
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
    configurePrimary(join(dir, 'primary'), dir, options.settings ?? []);
    const primaryPort = await startServer('primary');

    let standbyPort: number | undefined;
    if (options.standby) {
      const standbyDir = join(dir, 'standby');
      await exec(
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
        { PGPASSWORD: password },
      );
      // Our own primary_conninfo (last line wins over -R's): a known application_name to wait for.
      appendFileSync(
        join(standbyDir, 'postgresql.auto.conf'),
        `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=${superuser} password=${password} application_name=standby'\n`,
      );
      standbyPort = await startServer('standby');
      await waitForStreaming(url(primaryPort), url(standbyPort), deadline);
      log('postgres: standby streaming from the primary');
    }

    const startupMs = Date.now() - started;
    log(`postgres: ready in ${startupMs} ms (${dir})`);
    let stopped = false;
    return {
      primaryUrl: url(primaryPort),
      ...(standbyPort ? { standbyUrl: url(standbyPort), standbyPort } : {}),
      dir,
      primaryPort,
      startupMs,
      async stop() {
        if (stopped) return;
        stopped = true;
        process.off('exit', onExit);
        for (const dataDir of [...running].reverse()) await stopServer(pgCtl, dataDir, owner);
        running.length = 0;
        removeDir(dir, created);
      },
      async stopPrimary() {
        const primaryDir = join(dir, 'primary');
        if (!running.includes(primaryDir)) return;
        await stopServer(pgCtl, primaryDir, owner);
        running.splice(running.indexOf(primaryDir), 1);
        log('postgres: primary stopped');
      },
    };
  } catch (error) {
    onExit();
    process.off('exit', onExit);
    const message = error instanceof Error ? error.message : String(error);
    const hint =
      owner && /permission denied/i.test(message)
        ? `\n(hint: every parent of ${dir} must be searchable by user ${owner.name})`
        : '';
    throw new Error(`startPostgres failed after ${Date.now() - started} ms: ${message}${hint}`, { cause: error });
  }
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
