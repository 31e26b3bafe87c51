import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAuditText } from '../../../executor/audit/file-sink.js';
import { bin, cliEnv, runCliAsync, runIdOf } from '../../support/cli.js';

/**
 * An action's result fields are its outputs: `use` reads `steps.probe.outputs.status` and
 * `.json.host` of an `http.check` that declares no `outputs:`, through the built CLI. After a
 * kill -9 while `use` waits at its gate, `runbook resume` restores them from the journal: the
 * probe is not called again (the server counts requests and would answer another host).
 *
 * `use` waits for a gate file the test creates after the kill; an orphaned script notices its
 * parent is no longer the runbook CLI and exits without writing (as in crash-resume.test.ts).
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: results-test, owner: "@acme/sre" }
spec:
  inputs:
    url: { type: string, required: true }
    marker_dir: { type: string, required: true }
  phases:
    - id: work
      steps:
        - id: probe
          uses: http.check
          with: { url: "{{inputs.url}}" }
        - id: use
          idempotent: true
          run: |
            alive() { grep -aq bin/runbook.js "/proc/$(cut -d' ' -f4 /proc/$$/stat)/cmdline" 2>/dev/null; }
            until [ -e "$DIR/go" ]; do alive || exit 1; sleep 0.02; done
            alive || exit 1
            test -n "$HOST" || { echo "empty host" >&2; exit 3; }
            echo "$HOST $STATUS" >> "$DIR/seen"
          env: { DIR: "{{inputs.marker_dir}}", HOST: "{{steps.probe.outputs.json.host}}", STATUS: "{{steps.probe.outputs.status}}" }
`;

let root: string;
let server: Server;
let url: string;
let requests = 0;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'runbook-results-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'results-test.yaml'), runbook);
  server = createServer((_req, res) => {
    requests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ host: `db-${requests}.internal` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/endpoint`;
  const c = await runCliAsync(['compile', '--root', root]);
  expect(c.status, c.stdout + c.stderr).toBe(0);
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

let runs = 0;
const markerDir = () => {
  const dir = join(root, `markers-${++runs}`);
  mkdirSync(dir);
  return dir;
};
const seen = (dir: string) => (existsSync(join(dir, 'seen')) ? readFileSync(join(dir, 'seen'), 'utf8') : '');
const journal = (runId: string) =>
  parseAuditText(readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8')).records;

describe('action results are outputs', { timeout: 120_000 }, () => {
  it('a later step reads a result field of a step without outputs:', async () => {
    const dir = markerDir();
    writeFileSync(join(dir, 'go'), '');
    const before = requests;
    const r = await runCliAsync(
      ['run', 'results-test', '--root', root, '--input', `url=${url}`, '--input', `marker_dir=${dir}`, '--as', '@ops'],
      {},
      90_000,
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(seen(dir)).toBe(`db-${before + 1}.internal 200\n`);
  });

  it('restores result fields on resume after kill -9, without calling the action again', async () => {
    const dir = markerDir();
    const child = spawn(
      process.execPath,
      [
        bin,
        'run',
        'results-test',
        '--root',
        root,
        '--input',
        `url=${url}`,
        '--input',
        `marker_dir=${dir}`,
        '--as',
        '@ops',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'], env: cliEnv() },
    );
    const exited = new Promise((r) => child.once('exit', r));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    let runId: string;
    try {
      await vi.waitUntil(() => /^run id: /m.test(out), { timeout: 60_000, interval: 10 });
      runId = runIdOf(out);
      await vi.waitUntil(
        () =>
          existsSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl')) &&
          journal(runId).some((e) => e.type === 'step:start' && e.stepId === 'use'),
        { timeout: 60_000, interval: 10 },
      );
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const probed = requests;
    const probeEnd = journal(runId).find((e) => e.type === 'step:end' && e.stepId === 'probe');
    expect((probeEnd?.data as { outputs?: Record<string, unknown> }).outputs).toMatchObject({
      status: 200,
      json: { host: `db-${probed}.internal` },
    });
    writeFileSync(join(dir, 'go'), '');
    const r = await runCliAsync(['resume', runId, '--root', root, '--as', '@ops'], {}, 90_000);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(requests).toBe(probed);
    expect(seen(dir)).toBe(`db-${probed}.internal 200\n`);
  });
});
