import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAuditText } from '../../executor/audit/file-sink.js';
import { lockPath } from '../../executor/lock/file-lock.js';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { noPostgres, skipReason } from '../executor/pg/context.js';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * The lock backend comes from explicit configuration only, and a run with the audit database
 * still takes the checkout's lock file: two runs on one checkout exclude each other whichever
 * way each was configured. Through the CLI; the first run holds the lock at a gate the test opens.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: locked, owner: "@acme/sre" }
spec:
  inputs: { gate: { type: string, default: "" } }
  concurrency: one-at-a-time
  phases:
    - id: only
      steps:
        - id: hold
          run: 'if [ -n "$GATE" ]; then while [ ! -e "$GATE" ]; do sleep 0.05; done; fi'
          env: { GATE: "{{inputs.gate}}" }
          timeout: 2m
`;

let root: string;
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(env), timeout: 60_000 });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-locks-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'locked.yaml'), runbook);
  expect(cli(['compile']).status).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The run:start data of a run the CLI printed. */
function runStart(stdout: string): Record<string, unknown> {
  const log = readFileSync(join(root, '.runbook', 'runs', runIdOf(stdout), 'audit.jsonl'), 'utf8');
  return parseAuditText(log).records.find((r) => r.type === 'run:start')!.data as Record<string, unknown>;
}

describe('locks', () => {
  const lockFile = () => lockPath(join(root, '.runbook', 'locks'), 'one-at-a-time');

  it('recover an empty lock file left by a crash, and audit the takeover', () => {
    mkdirSync(join(root, '.runbook', 'locks'), { recursive: true });
    writeFileSync(lockFile(), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFile(), old, old);
    const r = cli(['run', 'locked', '--as', '@ops']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(runStart(r.stdout).lockTakenOver).toBe('unreadable');
    expect(existsSync(lockFile())).toBe(false);
  });

  it('take over the lock of a dead run on this host, and audit whose it was', () => {
    // A pid that cannot be alive: above the kernel's pid_max.
    const dead = {
      runId: 'dead-run',
      initiator: '@gone',
      pid: 2 ** 22 + 1,
      host: hostname(),
      startedAt: '2026-01-01T00:00:00.000Z',
    };
    writeFileSync(lockFile(), JSON.stringify(dead));
    const r = cli(['run', 'locked', '--as', '@ops']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(runStart(r.stdout).lockTakenOver).toEqual(dead);
  });

  it('ignore a generic DATABASE_URL (an unreachable one changes nothing)', () => {
    const r = cli(['run', 'locked', '--as', '@ops'], { DATABASE_URL: 'postgres://app:pw@127.0.0.1:1/app' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  describe.skipIf(noPostgres)(noPostgres ? skipReason : 'with an audit database', () => {
    let pg: PgCluster | undefined;
    let holder: ChildProcess | undefined;
    beforeAll(async () => {
      pg = await startPostgres();
      expect(cli(['audit', 'db-setup', '--audit-db', pg.primaryUrl]).status).toBe(0);
    }, 120_000);
    afterAll(async () => {
      holder?.kill('SIGKILL');
      await pg?.stop();
    });

    it('a run with RUNBOOK_AUDIT_DB is refused while a run without it holds the checkout', async () => {
      const gate = join(root, 'gate-open');
      let stdout = '';
      holder = spawn(
        process.execPath,
        [bin, 'run', 'locked', '--as', '@ops', '--input', `gate=${gate}`, '--root', root],
        { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      holder.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      const exited = new Promise<number | null>((resolve) => holder!.on('close', resolve));
      // Held once its journal shows the step started.
      await vi.waitFor(
        () => {
          const id = runIdOf(stdout);
          const log = join(root, '.runbook', 'runs', id, 'audit.jsonl');
          expect(existsSync(log) && readFileSync(log, 'utf8').includes('"step:start"')).toBe(true);
        },
        { timeout: 60_000, interval: 50 },
      );
      const second = cli(['run', 'locked', '--as', '@ops'], {
        RUNBOOK_AUDIT_DB: pg!.primaryUrl,
        RUNBOOK_ALLOW_OWNER_ROLE: 'true',
      });
      expect(second.status, second.stdout + second.stderr).toBe(6);
      expect(second.stderr).toMatch(/lock|held/i);
      writeFileSync(gate, '');
      expect(await exited).toBe(0);
      const after = cli(['run', 'locked', '--as', '@ops'], {
        RUNBOOK_AUDIT_DB: pg!.primaryUrl,
        RUNBOOK_ALLOW_OWNER_ROLE: 'true',
      });
      expect(after.status, after.stdout + after.stderr).toBe(0);
    });
  });
});
