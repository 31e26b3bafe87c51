import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { parseAuditText } from '../../../../executor/audit/file-sink.js';
import { startPostgres, type PgCluster } from '../../../../executor/pg/cluster.js';
import { startCaptureServer, type CaptureServer } from '../../../support/capture-server.js';
import { bin, cliEnv, runCliAsync, runIdOf } from '../../../support/cli.js';
import { repo } from '../../../support/library-root.js';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { motoUnavailable, startMoto, type MotoServer } from '../../../support/moto.js';
import { noPostgres, skipReason } from '../../pg/context.js';
import { stubScript } from './stubs.js';

/**
 * The world a library runbook runs in for the end-to-end tests, all on loopback: moto (RDS and
 * Route 53, with the two gaps of test/support/moto-patches filled), a capture server standing for
 * Slack and the notification relays, a throwaway PostgreSQL, PATH stubs for every command that is
 * not an AWS API call made by an action, and a temp root holding a copy of the library whose
 * Directory lists the approvers' SSH keys (made here), compiled there. The runbooks themselves are
 * copied unchanged.
 */
export interface LibraryWorld {
  readonly root: string;
  readonly moto: MotoServer;
  readonly capture: CaptureServer;
  readonly pg: PgCluster;
  /** Every call a stub received, one line each: `<command> <args shell-quoted>` (see stubs.ts). */
  stubCalls(): string[];
  /** Makes every stub call whose line starts with `prefix` exit 1 (until reset()). */
  failStub(prefix: string): void;
  /** Clears the stub log and failures, the captured notifications and moto. */
  reset(): Promise<void>;
  /** `runbook run`, approved by `approvers` for gate `step`, in the root as cwd. */
  run(name: string, o: RunOptions): Promise<RunResult>;
  close(): Promise<void>;
}

export interface RunOptions {
  readonly inputs?: Record<string, string>;
  /** Approval step id → approver handles (each signs with their own key). */
  readonly approvals?: Record<string, readonly string[]>;
  readonly as?: string;
  readonly confirmAs?: string;
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly runId: string;
  /** The run's audit records (its journal), in order. */
  readonly records: { type: string; stepId?: string; data?: unknown }[];
}

/** The approvers the tests sign with: an SRE (@acme/sre) and an executive (@acme/executive), the teams the library's failover gates allow. */
const SIGNERS = ['jane-smith', 'morgan-chen'] as const;

/** Why the library end-to-end tests cannot run here (no moto, no PostgreSQL), or undefined. */
const skip = motoUnavailable ?? (noPostgres ? skipReason : undefined);

/**
 * A describe block for one library runbook: one world for the file (started in beforeAll, closed
 * in afterAll even when a test failed), reset and seeded with `seed` before each test; skipped
 * with its reason when moto or PostgreSQL is missing. `world` is filled in once started.
 */
export function describeLibrary(
  runbook: string,
  seed: (world: LibraryWorld) => Promise<void>,
  body: (world: LibraryWorld) => void,
): void {
  describe.skipIf(skip !== undefined)(`${runbook} against moto${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const world = {} as LibraryWorld;
    beforeAll(async () => {
      Object.assign(world, await startLibraryWorld());
    }, 180_000);
    afterAll(async () => {
      await world.close?.();
    });
    beforeEach(async () => {
      await world.reset();
      await seed(world);
    });
    body(world);
  });
}

export async function startLibraryWorld(): Promise<LibraryWorld> {
  // The moto patches load through sitecustomize from PYTHONPATH (this worker's env is only this file's).
  process.env.PYTHONPATH = [join(repo, 'test', 'support', 'moto-patches'), process.env.PYTHONPATH]
    .filter(Boolean)
    .join(delimiter);
  const dir = mkdtempSync(join(tmpdir(), 'runbook-library-e2e-'));
  const started: { stop(): Promise<void> | void }[] = [{ stop: () => rmSync(dir, { recursive: true, force: true }) }];
  const close = async () => {
    for (const s of started.splice(0).reverse()) await s.stop();
  };
  try {
    const moto = await startMoto();
    started.push(moto);
    const capture = await startCaptureServer();
    started.push({ stop: () => capture.close() });
    const pg = await startPostgres();
    started.push(pg);
    await seedShop(pg.primaryUrl);
    const root = join(dir, 'root');
    const keys = makeLibraryRoot(root, join(dir, 'keys'));
    const stubs = makeStubs(dir);
    return {
      root,
      moto,
      capture,
      pg,
      stubCalls: () => (existsSync(stubs.log) ? readFileSync(stubs.log, 'utf8').split('\n').filter(Boolean) : []),
      failStub: (prefix) => writeFileSync(stubs.fail, `${prefix}\n`, { flag: 'a' }),
      async reset() {
        rmSync(stubs.log, { force: true });
        rmSync(stubs.fail, { force: true });
        capture.bodies.length = 0;
        await moto.reset();
      },
      run: (name, o) => runLibrary({ root, name, o, keys, env: runEnv({ moto, capture, pg, stubs }) }),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The e-commerce tables the runbooks' checks query (orders, customers, products, order_items, and
 * 004's users for emergency-manual-failover),
 * consistent and with recent orders: the data of the DR replica and of the restored snapshot.
 */
async function seedShop(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      create table customers (id serial primary key, email text not null);
      create table products (id serial primary key, name text not null);
      create table orders (id serial primary key, customer_id int not null, total_amount numeric(10,2) not null, created_at timestamptz not null default now());
      create table order_items (id serial primary key, order_id int not null, product_id int not null);
      create table users (id serial primary key, email text not null);
      insert into users (email) select 'u' || g || '@example.com' from generate_series(1, 5) g;
      insert into customers (email) select 'c' || g || '@example.com' from generate_series(1, 20) g;
      insert into products (name) select 'p' || g from generate_series(1, 10) g;
      insert into orders (customer_id, total_amount, created_at) select 1 + g % 20, g * 1.5, now() - (g || ' minutes')::interval from generate_series(1, 50) g;
      insert into order_items (order_id, product_id) select 1 + g % 50, 1 + g % 10 from generate_series(1, 100) g;`);
  } finally {
    await client.end();
  }
}

/** A copy of the library whose Directory lists SSH signing keys for SIGNERS; compiled. Returns the private key paths. */
function makeLibraryRoot(root: string, keyDir: string): Record<string, string> {
  cpSync(join(repo, 'runbooks'), join(root, 'runbooks'), { recursive: true });
  mkdirSync(keyDir);
  const keys: Record<string, string> = {};
  const directoryFile = join(root, 'runbooks', 'directory.yaml');
  const directory = parse(readFileSync(directoryFile, 'utf8'));
  for (const who of SIGNERS) {
    keys[`@${who}`] = join(keyDir, who);
    const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', who, '-f', keys[`@${who}`]], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
    directory.spec.people[who].signingKeys = [readFileSync(`${keys[`@${who}`]}.pub`, 'utf8').trim()];
  }
  writeFileSync(directoryFile, stringify(directory));
  const compiled = spawnSync(process.execPath, [bin, 'compile', '--root', root], {
    encoding: 'utf8',
    env: cliEnv(),
    timeout: 120_000,
  });
  if (compiled.status !== 0) throw new Error(`compile failed:\n${compiled.stdout}${compiled.stderr}`);
  return keys;
}

interface Stubs {
  bin: string;
  log: string;
  fail: string;
  bashEnv: string;
}

/**
 * PATH stubs and a fake /opt for the runner's checkouts. The stubs are one script under several names (stubs.ts).
 */
function makeStubs(dir: string): Stubs {
  const stubs: Stubs = {
    bin: join(dir, 'bin'),
    log: join(dir, 'stub-calls.log'),
    fail: join(dir, 'stub-fail'),
    bashEnv: join(dir, 'bash-env.sh'),
  };
  const opt = join(dir, 'opt');
  mkdirSync(stubs.bin);
  for (const sub of ['infrastructure', 'k8s/base', 'k8s/overlays/production-dr', 'monitoring'])
    mkdirSync(join(opt, sub), { recursive: true });
  const script = stubScript({ log: stubs.log, fail: stubs.fail });
  for (const name of ['aws', 'kubectl', 'cdk', 'redis-cli', 'curl', 'jq', 'sleep', 'kafka-topics.sh', 'ab']) {
    writeFileSync(join(stubs.bin, name), script);
    chmodSync(join(stubs.bin, name), 0o755);
  }
  // primary-region-failure's deploy-infra does `cd /opt/infrastructure` (the CDK app checked out on
  // the runner). `cd` is a bash builtin, so no PATH stub can stand in: BASH_ENV (read by every
  // non-interactive bash, bash(1) INVOCATION) defines a `cd` that maps /opt to the fake one.
  writeFileSync(
    stubs.bashEnv,
    `cd() { if [[ "\${1:-}" == /opt/* ]]; then builtin cd ${JSON.stringify(opt)}"\${1#/opt}"; else builtin cd "$@"; fi; }\n`,
  );
  return stubs;
}

function runEnv(o: { moto: MotoServer; capture: CaptureServer; pg: PgCluster; stubs: Stubs }): Record<string, string> {
  const relay = (channel: string) => `${o.capture.url}/${channel}`;
  return {
    ...o.moto.env(),
    PATH: `${o.stubs.bin}${delimiter}${process.env.PATH ?? ''}`,
    BASH_ENV: o.stubs.bashEnv,
    RUNBOOK_SHELL_PASSTHROUGH: 'BASH_ENV',
    SLACK_WEBHOOK_URL: relay('slack'),
    RUNBOOK_EMAIL_WEBHOOK: relay('email'),
    RUNBOOK_SMS_WEBHOOK: relay('sms'),
    RUNBOOK_PHONE_WEBHOOK: relay('phone'),
    RUNBOOK_STATUS_PAGE_WEBHOOK: relay('status-page'),
    DR_DATABASE_URL: o.pg.primaryUrl,
    VERIFY_DATABASE_URL: o.pg.primaryUrl,
    // route53-failover-routing's three cross-region replicas (000:176-194): the one throwaway cluster.
    US_WEST_2_REPLICA_URL: o.pg.primaryUrl,
    EU_WEST_1_REPLICA_URL: o.pg.primaryUrl,
    AP_SOUTHEAST_1_REPLICA_URL: o.pg.primaryUrl,
    NODE_OPTIONS: `--import=${pathToFileURL(join(repo, 'test', 'support', 'rds-hosts-preload.mjs')).href}`,
  };
}

const inputArgs = (inputs: Record<string, string> = {}) =>
  Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]);

async function runLibrary(a: {
  root: string;
  name: string;
  o: RunOptions;
  keys: Record<string, string>;
  env: Record<string, string>;
}): Promise<RunResult> {
  const args = ['run', a.name, '--root', a.root, ...inputArgs(a.o.inputs), '--as', a.o.as ?? '@john-doe'];
  if (a.o.approvals) args.push('--approvals', signApprovals(a));
  if (a.o.confirmAs) args.push('--confirm-as', a.o.confirmAs);
  const r = await runCliAsync(args, a.env, a.o.timeoutMs ?? 90_000, a.root);
  const runId = runIdOf(r.stdout);
  const journal = join(a.root, '.runbook', 'runs', runId, 'audit.jsonl');
  const records = parseAuditText(readFileSync(journal, 'utf8')).records as RunResult['records'];
  return { ...r, runId, records };
}

/** `runbook plan --json` for the live plan hash, then `runbook approve` by each approver with their key. */
function signApprovals(a: {
  root: string;
  name: string;
  o: RunOptions;
  keys: Record<string, string>;
  env: Record<string, string>;
}): string {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args, '--root', a.root], {
      encoding: 'utf8',
      env: cliEnv(a.env),
      cwd: a.root,
      timeout: 60_000,
    });
  const plan = cli('plan', a.name, ...inputArgs(a.o.inputs), '--json');
  if (plan.status !== 0) throw new Error(`plan failed:\n${plan.stdout}${plan.stderr}`);
  const { planHash } = JSON.parse(plan.stdout) as { planHash: string };
  const file = join(a.root, `approvals-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
  for (const [step, approvers] of Object.entries(a.o.approvals ?? {})) {
    for (const who of approvers) {
      const r = cli(
        'approve',
        '--plan',
        planHash,
        '--step',
        step,
        '--as',
        who,
        '--key',
        a.keys[who],
        '--approvals',
        file,
      );
      if (r.status !== 0) throw new Error(`approve failed:\n${r.stdout}${r.stderr}`);
    }
  }
  return file;
}

/** Each step's last step:end of a run. */
export function stepEnds(
  r: RunResult,
): Record<string, { status: string; error?: string; outputs?: Record<string, unknown> }> {
  const out: Record<string, { status: string; error?: string; outputs?: Record<string, unknown> }> = {};
  for (const e of r.records) if (e.type === 'step:end' && e.stepId) out[e.stepId] = e.data as never;
  return out;
}

/** The run's final status (run:end). */
export function runStatus(r: RunResult): string | undefined {
  return (r.records.filter((e) => e.type === 'run:end').at(-1)?.data as { status?: string } | undefined)?.status;
}
