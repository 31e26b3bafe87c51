import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startPostgres, type PgCluster } from '../../executor/pg/cluster.js';
import { noPostgres } from '../executor/pg/context.js';
import { bin, cliEnv, runCliAsync, runIdOf } from '../support/cli.js';
import { catalogue, finallySupported, place, positions } from './schema-positions.js';

/**
 * Property: an input is data in every parameter position of every action. For each action of the
 * catalogue (schemas/actions/*.json, so a new action is covered without touching this file), the
 * string positions its schema allows, at any depth, receive `{{inputs.evil}}`, whose value holds
 * `{{secrets.PROP_SECRET}}`, `$(touch …)`, backticks and terminal escape codes. Each position is
 * placed in a step of its own, inside a `wait.check`, in `finally`, and (all at once) in a
 * `rollback` body. Positions the compiler refuses (a script, a per-poll condition) are never
 * reached by an input, which is the point. The rest really run: HTTP, AWS (AWS_ENDPOINT_URL),
 * PostgreSQL and notify endpoints all point at one loopback TCP server that records every byte.
 * The secret's value must appear nowhere (captured bytes, terminal, audit log, `audit show`), and
 * no marker file may be created.
 */
const secret = 'PropS3cret-value-9f1c';
let root: string;
let marker: string;
let server: Server;
let port = 0;
/** A throwaway PostgreSQL 15 for the `postgres.*` actions, when installed (else they reach the capture server). */
let pg: PgCluster | undefined;
const captured: Buffer[] = [];
const sockets = new Set<Socket>();

const EVIL = '{{inputs.evil}}';

/**
 * A CLI run, finished when it printed where its audit log is (the run has ended and the log is
 * closed). The process itself is then ended: an AWS SDK waiter aborted by a step timeout keeps a
 * background sleep of up to its minimum delay (30 s for RDS) that would hold it open.
 */
function runUntilReported(args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const done = () => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve({ stdout, stderr });
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/^audit log: .+$/m.test(stdout)) done();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', done);
  });
}
const fixtures: Record<string, string> = {
  'directory.yaml': `apiVersion: runbook/v1
kind: Directory
metadata: { name: dir, owner: "@acme/sre" }
spec:
  people:
    ops: { name: Ops, github: "@ops" }
  teams:
    sre: { name: SRE, github: "@acme/sre", members: [ops] }
  roles:
    benign: { title: Benign, primary: ops }
  audiences:
    benign: { people: [], channels: [webhook, slack], external: false, webhook: "{{inputs.hook}}" }
`,
  'templates/benign.md.hbs': `---
apiVersion: runbook/v1
kind: Template
metadata: { name: benign, owner: "@acme/sre" }
channel: webhook
audience: [benign]
variables:
  k: { required: false, description: Any. }
---
Benign {{k}}
`,
  'checklists/benign.md': `---
apiVersion: runbook/v1
kind: Checklist
metadata: { name: benign, owner: "@acme/sre" }
---
## benign
- [ ] benign item
`,
  'child.yaml': `apiVersion: runbook/v1
kind: Runbook
metadata: { name: benign, owner: "@acme/sre" }
spec:
  inputs: { k: { type: string, default: none } }
  phases:
    - id: only
      steps:
        - id: echo
          run: 'printf "%s\\n" "$K"'
          env: { K: "{{inputs.k}}" }
`,
};

const header = (name: string) => ({
  apiVersion: 'runbook/v1',
  kind: 'Runbook',
  metadata: { name, owner: '@acme/sre' },
});
const specBase = {
  inputs: { evil: { type: 'string', required: true }, hook: { type: 'string', required: true } },
  secrets: ['PROP_SECRET', 'PG_URL'],
};
const step = (id: string, uses: string, withValue: Record<string, unknown>) => ({
  id,
  uses,
  with: withValue,
  onFailure: 'continue',
  timeout: '8s',
});
const waitOn = (id: string, uses: string, withValue: Record<string, unknown>) =>
  step(id, 'wait', { check: { uses, with: withValue }, until: '{{eq 1 1}}', interval: '1s', timeout: '3s' });
const safeName = (id: string) => id.replace(/\./g, '-');

/** Diagnostics with severity error, by file. */
async function refusedFiles(): Promise<Set<string>> {
  // Not spawnSync: a long synchronous wait starves the worker's RPC (test/support/breathe.ts).
  const r = await runCliAsync(['validate', '--root', root, '--format', 'json'], {}, 120_000);
  const diags = JSON.parse(r.stdout) as { severity: string; file: string }[];
  return new Set(diags.filter((d) => d.severity === 'error').map((d) => d.file));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'runbook-params-property-'));
  marker = join(root, 'marker');
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d: Buffer) => {
      captured.push(d);
      // An HTTP error every client gives up on at once (AWS: an AccessDenied its SDK does not
      // retry); anything else (PostgreSQL) gets the connection closed.
      const body =
        '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied</Message></Error><RequestId>1</RequestId></ErrorResponse>';
      if (d.includes('HTTP/1.'))
        socket.end(
          `HTTP/1.1 403 Forbidden\r\ncontent-type: text/xml\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        );
      else socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  if (!noPostgres) pg = await startPostgres();
  for (const [file, text] of Object.entries(fixtures)) {
    mkdirSync(join(root, 'runbooks', file, '..'), { recursive: true });
    writeFileSync(join(root, 'runbooks', file), text);
  }
}, 120_000);

afterAll(async () => {
  await pg?.stop();
  for (const s of sockets) s.destroy();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('every parameter position of every action', () => {
  it('keeps an input holding {{secrets.X}}, $(…), backticks and escape codes as data', async () => {
    const actions = catalogue();
    expect(actions.length).toBeGreaterThan(10);
    const targets = {
      httpUrl: `http://127.0.0.1:${port}/benign`,
      postgresUrl: pg ? '{{secrets.PG_URL}}' : `postgres://app:pw@127.0.0.1:${port}/app`,
    };
    const plans = actions.map((a) => ({ a, ...positions(a, EVIL, targets) }));

    // 1. Which placements the compiler accepts: one file per placement, one `validate` for all.
    const probe = join(root, 'runbooks', 'probe');
    mkdirSync(probe);
    for (const { a, base, paths } of plans) {
      paths.forEach((p, i) => {
        const spec = (steps: unknown[]) => ({
          ...header(`p-${safeName(a.id)}-${i}`),
          spec: { ...specBase, phases: [{ id: 'only', steps }] },
        });
        writeFileSync(
          join(probe, `d-${safeName(a.id)}-${i}.yaml`),
          stringify(spec([step('s', a.id, place(base, p, EVIL))])),
        );
        const w = spec([waitOn('s', a.id, place(base, p, EVIL))]);
        (w.metadata as { name: string }).name = `w-${safeName(a.id)}-${i}`;
        writeFileSync(join(probe, `w-${safeName(a.id)}-${i}.yaml`), stringify(w));
      });
    }
    const refused = await refusedFiles();
    rmSync(probe, { recursive: true, force: true });

    // 2. Every accepted placement as a step of one runbook (its steps run in parallel), and per
    //    action a small runbook whose failure rolls back a body holding the input everywhere at once.
    let placements = 0;
    const steps: unknown[] = [];
    const rollbacks: unknown[] = [];
    for (const { a, base, paths } of plans) {
      const direct = paths.filter((_p, i) => !refused.has(`runbooks/probe/d-${safeName(a.id)}-${i}.yaml`));
      const waited = paths.filter((_p, i) => !refused.has(`runbooks/probe/w-${safeName(a.id)}-${i}.yaml`));
      const id = safeName(a.id);
      steps.push(...direct.map((p, i) => step(`d-${id}-${i}`, a.id, place(base, p, EVIL))));
      steps.push(...waited.map((p, i) => waitOn(`w-${id}-${i}`, a.id, place(base, p, EVIL))));
      placements += direct.length + waited.length;
      if (direct.length === 0) continue;
      let all = base;
      for (const p of direct) all = place(all, p, EVIL);
      const name = `rb-${id}`;
      writeFileSync(
        join(root, 'runbooks', `${name}.yaml`),
        stringify({
          ...header(name),
          spec: {
            ...specBase,
            phases: [
              {
                id: 'only',
                steps: [
                  { id: 'host', run: 'true', rollback: { uses: a.id, with: all } },
                  { id: 'boom', run: 'exit 1', onFailure: 'rollback' },
                ],
              },
            ],
          },
        }),
      );
      rollbacks.push({
        id: name,
        uses: 'runbook',
        with: { runbook: name, inputs: { evil: EVIL, hook: '{{inputs.hook}}' } },
        onFailure: 'continue',
        timeout: '20s',
      });
      placements += 1;
    }
    writeFileSync(
      join(root, 'runbooks', 'prop-all.yaml'),
      stringify({
        ...header('prop-all'),
        spec: {
          ...specBase,
          phases: [{ id: 'direct', parallel: true, steps }],
          // The same positions in `finally` (whose steps take no onFailure: a failing one never stops the others).
          ...(finallySupported
            ? {
                finally: steps
                  .filter((st) => (st as { id: string }).id.startsWith('d-'))
                  .map((st) => {
                    const { onFailure: _f, ...rest } = st as { id: string; onFailure?: string };
                    return { ...rest, id: `f${rest.id}` };
                  }),
              }
            : {}),
        },
      }),
    );
    // The rollback runbooks run nested in one run (one CLI start instead of one per action).
    writeFileSync(
      join(root, 'runbooks', 'prop-rollback.yaml'),
      stringify({
        ...header('prop-rollback'),
        spec: { ...specBase, phases: [{ id: 'all', parallel: true, steps: rollbacks }] },
      }),
    );
    const names = ['prop-all', 'prop-rollback'];
    const compiled = await runCliAsync(['compile', '--root', root], {}, 120_000);
    expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
    expect(rollbacks.length).toBeGreaterThan(10);
    expect(placements).toBeGreaterThan(50);

    const evil = `{{secrets.PROP_SECRET}} $(touch ${marker}) \`touch ${marker}-bt\` \x1b]0;pwned\x07\x1b[2J\x1b[31m'";|&`;
    const env = {
      PROP_SECRET: secret,
      PG_URL: pg?.primaryUrl ?? `postgres://app:pw@127.0.0.1:${port}/app`,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'AKIAPROPERTYTEST',
      AWS_SECRET_ACCESS_KEY: 'not-a-real-key-0000',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
      SLACK_WEBHOOK_URL: `http://127.0.0.1:${port}/slack`,
    };
    const outputs: string[] = [];
    // Two at a time: the machine is shared, and each run is mostly waiting on sockets.
    const runs = await Promise.all(
      names.map((name) =>
        runUntilReported(
          [
            'run',
            name,
            '--root',
            root,
            '--as',
            '@ops',
            '--confirm-as',
            '@ops',
            '--concurrency',
            '64',
            '--input',
            `evil=${evil}`,
            '--input',
            `hook=http://127.0.0.1:${port}/hook`,
          ],
          env,
        ),
      ),
    );
    for (const r of runs) {
      outputs.push(r.stdout, r.stderr);
      const runId = runIdOf(r.stdout);
      const audit = readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8');
      expect(audit).toContain('"type":"run:end"');
      outputs.push(audit);
      const shown = await runCliAsync(['audit', 'show', runId, '--root', root]);
      outputs.push(shown.stdout, shown.stderr);
    }
    // The rollback bodies really ran (each child runbook failed, then compensated).
    expect(outputs.join('\n')).toContain('"type":"rollback:step"');
    const everything = [...outputs, Buffer.concat(captured).toString('latin1')].join('\n');
    expect(captured.length).toBeGreaterThan(0);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(secret).toString('base64').slice(0, 16));
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(`${marker}-bt`)).toBe(false);
  }, 180_000);
});
