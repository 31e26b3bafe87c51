import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cliEnv, runCliAsync } from '../support/cli.js';

/**
 * Templates are rendered once, and values are data: an input that holds `{{secrets.X}}`, `$(…)`
 * or escape codes reaches a nested action (wait's `check`) as the text it is. Run through the
 * CLI, as a user would, against a loopback server that records what it was asked.
 */
const token = 'tok-3f9a-NEVER-SHOWN';
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: poll-input, owner: "@acme/sre" }
spec:
  inputs:
    url: { type: string, required: true }
    value: { type: string, required: true }
    out: { type: string, required: true }
  secrets: [TOKEN]
  phases:
    - id: only
      steps:
        - id: poll-url
          uses: wait
          with:
            until: "{{eq result.status 200}}"
            interval: 100ms
            timeout: 20s
            check: { uses: http.check, with: { url: "{{inputs.url}}" } }
        - id: poll-script
          uses: wait
          env: { VALUE: "{{inputs.value}}", OUT: "{{inputs.out}}" }
          with:
            until: "{{eq result.exitCode 0}}"
            interval: 100ms
            timeout: 20s
            check: { uses: shell, with: { script: 'printf "%s" "$VALUE" > "$OUT"' } }
`;

let root: string;
let server: Server;
const seen: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'runbook-security-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'poll-input.yaml'), runbook);
  const compiled = spawnSync(process.execPath, [bin, 'compile', '--root', root], { encoding: 'utf8', env: cliEnv() });
  expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
  server = createServer((req, res) => {
    seen.push(decodeURIComponent(req.url ?? ''));
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('an input holding templates and shell syntax stays data in a nested check', () => {
  it('is sent and written as written: no secret rendered, nothing executed', async () => {
    const { port } = server.address() as AddressInfo;
    const out = join(root, 'value.txt');
    const value = '$(id -un) `id -un` {{secrets.TOKEN}} \u001b[2K\u001b[1AApprove?';
    const r = await runCliAsync(
      [
        'run',
        'poll-input',
        '--root',
        root,
        '--as',
        '@ops',
        '--input',
        `url=http://127.0.0.1:${port}/x?t={{secrets.TOKEN}}`,
        '--input',
        `value=${value}`,
        '--input',
        `out=${out}`,
      ],
      { TOKEN: token },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(seen).toEqual(['/x?t={{secrets.TOKEN}}']);
    expect(readFileSync(out, 'utf8')).toBe(value);
    expect(readFileSync(out, 'utf8')).not.toContain(userInfo().username);
    expect(r.stdout + r.stderr).not.toContain(token);
  });
});
