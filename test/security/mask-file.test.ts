import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureServer, type CaptureServer } from '../support/capture-server.js';
import { bin, cliEnv, runCliAsync, runIdOf } from '../support/cli.js';

/**
 * Derived secrets: a script registers a value it computed (here the secret reversed, as a script
 * would build a Basic auth header or fetch a session token) by writing it to `$RUNBOOK_MASK`.
 * From then on the value, its base64 and its hex are masked in the terminal, the audit log, step
 * outputs and notifications, also after `resume` (the journal holds only salted hashes).
 */
const token = 'Zq8-derived-source-77';
const derived = [...token].reverse().join('');
const forms = [derived, Buffer.from(derived).toString('base64').slice(0, 16), Buffer.from(derived).toString('hex')];

const directory = `apiVersion: runbook/v1
kind: Directory
metadata: { name: dir, owner: "@acme/sre" }
spec:
  people:
    ops: { name: Ops, github: "@ops" }
  teams:
    sre: { name: SRE, github: "@acme/sre", members: [ops] }
  audiences:
    hook: { people: [], channels: [webhook], external: false, webhook: "{{inputs.hook}}" }
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
{"event": "derived", "details": "{{summary}}"}
`;
const runbook = (flag: string) => `apiVersion: runbook/v1
kind: Runbook
metadata: { name: derive, owner: "@acme/sre" }
spec:
  inputs: { hook: { type: string, required: true } }
  secrets: [TOKEN]
  phases:
    - id: only
      steps:
        - id: derive
          run: |
            D=$(printf '%s' "$TOKEN" | rev)
            echo "$D" >> "$RUNBOOK_MASK"
            echo "derived: $D"
            printf '%s' "$D" | base64
            printf '%s' "$D" | od -An -tx1 | tr -d ' \\n'; echo
            echo "value=$D" >> "$RUNBOOK_OUTPUT"
          env: { TOKEN: "{{secrets.TOKEN}}" }
        - id: tell
          uses: notify
          with: { template: event, audience: [hook], vars: { summary: "got {{steps.derive.outputs.value}}" } }
        - id: again
          # Derives the value again after the resume, without registering it: only the journal knows it.
          run: |
            echo "again: $(printf '%s' "$TOKEN" | rev)"
            printf '%s' "$TOKEN" | rev | base64
            # Long lines end after a pause, so the value straddles the 16 KiB split while held.
            D=$(printf '%s' "$TOKEN" | rev)
            for n in 16380 16375 16370; do head -c $n /dev/zero | tr "\\0" x; printf '%s' "$D"; sleep 0.3; echo; done
            test -e "${flag}"
          env: { TOKEN: "{{secrets.TOKEN}}" }
`;

let root: string;
let flag: string;
let server: CaptureServer | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'runbook-maskfile-'));
  flag = join(root, 'may-pass');
  mkdirSync(join(root, 'runbooks', 'templates'), { recursive: true });
  writeFileSync(join(root, 'runbooks', 'directory.yaml'), directory);
  writeFileSync(join(root, 'runbooks', 'templates', 'event.md.hbs'), template);
  writeFileSync(join(root, 'runbooks', 'derive.yaml'), runbook(flag));
  const compiled = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
  server = await startCaptureServer();
});

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const auditOf = (runId: string) => readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8');
const expectMasked = (text: string, where: string) => {
  for (const form of forms) expect(text, `${where}: ${form}`).not.toContain(form);
};

describe('$RUNBOOK_MASK', () => {
  it('masks a registered value and its base64 and hex in the output, audit, outputs and a notification, also after resume', async () => {
    const { port } = server!;
    const env = { TOKEN: token };
    const args = ['--root', root, '--as', '@ops'];
    const run = await runCliAsync(['run', 'derive', ...args, '--input', `hook=http://127.0.0.1:${port}/hook`], env);
    expect(run.status, run.stdout + run.stderr).toBe(4); // `again` fails until the flag exists
    const runId = runIdOf(run.stdout);
    expect(run.stdout + run.stderr).toContain('derived: ***');
    expect(server!.bodies).toHaveLength(1);
    expect(JSON.parse(server!.bodies[0]).details).toBe('got ***');
    const audit = auditOf(runId);
    expect(audit).toContain('"type":"mask:add"');
    expectMasked(run.stdout + run.stderr, 'first run output');
    expectMasked(audit, 'audit');
    expectMasked(server!.bodies.join('\n'), 'webhook');

    writeFileSync(flag, '');
    const resumed = await runCliAsync(['resume', runId, ...args], env);
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout + resumed.stderr).toContain('again: ***');
    expectMasked(resumed.stdout + resumed.stderr, 'resumed output');
    // Not in two halves either, though after the resume it is known only by its hashes.
    for (const half of [derived.slice(0, 8), derived.slice(-8)]) {
      expect(resumed.stdout + resumed.stderr).not.toContain(half);
      expect(auditOf(runId)).not.toContain(half);
    }
    expectMasked(auditOf(runId), 'audit after resume');
    const shown = spawnSync(process.execPath, [bin, 'audit', 'show', runId, '--root', root], {
      encoding: 'utf8',
      env: cliEnv(),
    });
    expect(shown.status, shown.stderr).toBe(0);
    expectMasked(shown.stdout + shown.stderr, 'audit show');
  });
});
