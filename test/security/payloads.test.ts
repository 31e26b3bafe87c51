import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureServer, type CaptureServer } from '../support/capture-server.js';
import { bin, cliEnv, runCliAsync } from '../support/cli.js';

/**
 * Structured payloads are built as data: a JSON webhook Template is rendered value by value, so a
 * variable cannot add or overwrite fields (`"drill": false`, `status`, `event`). Through the CLI,
 * as a drill, against a loopback webhook that records what it receives.
 */
const directory = `apiVersion: runbook/v1
kind: Directory
metadata: { name: dir, owner: "@acme/sre" }
spec:
  people:
    ops: { name: Ops, github: "@ops" }
  teams:
    sre: { name: SRE, github: "@acme/sre", members: [ops] }
  audiences:
    hook:
      people: []
      channels: [webhook]
      external: false
      webhook: "{{inputs.hook}}"
`;
const template = `---
apiVersion: runbook/v1
kind: Template
metadata: { name: event, owner: "@acme/sre" }
channel: webhook
audience: [hook]
variables:
  summary: { required: true, description: Details. }
---
{"event": "failover", "status": "promoted", "details": "{{summary}}"}
`;
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: send, owner: "@acme/sre" }
spec:
  inputs:
    hook: { type: string, required: true }
    summary: { type: string, required: true }
  phases:
    - id: only
      steps:
        - id: tell
          uses: notify
          with: { template: event, audience: [hook], vars: { summary: "{{inputs.summary}}" } }
`;

let root: string;
let server: CaptureServer | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'runbook-payloads-'));
  mkdirSync(join(root, 'runbooks', 'templates'), { recursive: true });
  writeFileSync(join(root, 'runbooks', 'directory.yaml'), directory);
  writeFileSync(join(root, 'runbooks', 'templates', 'event.md.hbs'), template);
  writeFileSync(join(root, 'runbooks', 'send.yaml'), runbook);
  const compiled = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
  server = await startCaptureServer();
});

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a JSON webhook payload is data', () => {
  it('keeps a variable that looks like JSON inside its string, and a drill stays a drill', async () => {
    const { port } = server!;
    const summary = 'x", "drill": false, "status": "rolled-back", "event": "none", "y": "';
    const r = await runCliAsync([
      'drill',
      'send',
      '--root',
      root,
      '--as',
      '@ops',
      '--input',
      `hook=http://127.0.0.1:${port}/hook`,
      '--input',
      `summary=${summary}`,
    ]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(server!.bodies.map((b) => JSON.parse(b))).toEqual([
      { event: 'failover', status: 'promoted', details: summary, drill: true },
    ]);
  });
});
