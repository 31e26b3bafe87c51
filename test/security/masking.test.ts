import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * A secret's derived forms are masked too: base64 (alone or inside a Basic auth header, at any
 * byte offset), URL-safe base64 and hex. Through the CLI: the step prints them, and neither the
 * terminal nor the audit log may show them.
 */
const token = 'tok3n-V4lue-never-shown';
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: derived, owner: "@acme/sre" }
spec:
  secrets: [TOKEN]
  phases:
    - id: only
      steps:
        - id: print
          run: |
            printf '%s' "$TOKEN" | base64
            printf 'admin:%s' "$TOKEN" | base64
            printf 'ab%s' "$TOKEN" | base64 | tr '+/' '-_'
            printf '%s' "$TOKEN" | od -An -tx1 | tr -d ' \\n'; echo
            echo "out=$(printf '%s' "$TOKEN" | base64)" >> "$RUNBOOK_OUTPUT"
          env: { TOKEN: "{{secrets.TOKEN}}" }
`;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-masking-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'derived.yaml'), runbook);
  expect(spawnSync(process.execPath, [bin, 'compile', '--root', root], { env: cliEnv() }).status).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('derived forms of a secret', () => {
  it('never reach the output or the audit log', () => {
    const r = spawnSync(process.execPath, [bin, 'run', 'derived', '--root', root, '--as', '@ops'], {
      encoding: 'utf8',
      env: cliEnv({ TOKEN: token }),
      timeout: 60_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const audit = readFileSync(join(root, '.runbook', 'runs', runIdOf(r.stdout), 'audit.jsonl'), 'utf8');
    const forms = [
      Buffer.from(token).toString('base64').slice(0, 16),
      Buffer.from(`admin:${token}`).toString('base64').slice(8, 24),
      Buffer.from(`ab${token}`).toString('base64url').slice(4, 20),
      Buffer.from(token).toString('hex'),
    ];
    for (const form of forms) {
      expect(r.stdout + r.stderr, form).not.toContain(form);
      expect(audit, form).not.toContain(form);
    }
    expect(audit).toContain('***');
  });
});

describe('identifiers are never masked', () => {
  it('a secret equal to a step id leaves the journal usable: resume does not re-run the finished step', () => {
    const effects = join(root, 'promoted.txt');
    writeFileSync(
      join(root, 'runbooks', 'ids.yaml'),
      `apiVersion: runbook/v1
kind: Runbook
metadata: { name: ids, owner: "@acme/sre" }
spec:
  inputs: { fail: { type: boolean, default: true } }
  secrets: [TOKEN]
  phases:
    - id: only
      steps:
        - id: promote-db
          run: echo promoted >> "${effects}"
          idempotent: false
        - id: then-fail
          needs: [promote-db]
          run: 'if [ "$FAIL" = true ]; then exit 1; fi; echo "$T" > /dev/null'
          env: { FAIL: "{{inputs.fail}}", T: "{{secrets.TOKEN}}" }
`,
    );
    expect(spawnSync(process.execPath, [bin, 'compile', '--root', root], { env: cliEnv() }).status).toBe(0);
    const env = cliEnv({ TOKEN: 'promote-db' });
    const run = spawnSync(process.execPath, [bin, 'run', 'ids', '--root', root, '--as', '@ops'], {
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });
    expect(run.status).toBe(4);
    const runId = runIdOf(run.stdout);
    const audit = readFileSync(join(root, '.runbook', 'runs', runId, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"stepId":"promote-db"');
    const resumed = spawnSync(process.execPath, [bin, 'resume', runId, '--root', root, '--as', '@ops'], {
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });
    expect(resumed.status).toBe(4); // then-fail still fails; what matters is what ran again
    expect(readFileSync(effects, 'utf8')).toBe('promoted\n');
  });
});

describe('step temp dirs', () => {
  it('left by a killed executor are removed when the next run starts', () => {
    const orphan = join(tmpdir(), `runbook-step-${2 ** 22 + 1}-${process.pid}x`);
    mkdirSync(orphan, { recursive: true });
    writeFileSync(join(orphan, 'output'), `token=${token}\n`);
    const r = spawnSync(process.execPath, [bin, 'run', 'derived', '--root', root, '--as', '@ops'], {
      encoding: 'utf8',
      env: cliEnv({ TOKEN: token }),
      timeout: 60_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(existsSync(orphan)).toBe(false);
  });
});

describe('a secret across the 16 KiB line split', () => {
  it('is masked whole, not leaked in two halves', () => {
    writeFileSync(
      join(root, 'runbooks', 'long.yaml'),
      `apiVersion: runbook/v1
kind: Runbook
metadata: { name: long, owner: "@acme/sre" }
spec:
  secrets: [TOKEN]
  phases:
    - id: only
      steps:
        - id: print
          # The line ends only after a pause, so the reader holds more than 16 KiB of it unfinished.
          run: 'for n in 16380 16375 16370; do head -c $n /dev/zero | tr "\\\\0" x; printf "%s" "$TOKEN"; sleep 0.3; echo; done'
          env: { TOKEN: "{{secrets.TOKEN}}" }
`,
    );
    expect(spawnSync(process.execPath, [bin, 'compile', '--root', root], { env: cliEnv() }).status).toBe(0);
    const r = spawnSync(process.execPath, [bin, 'run', 'long', '--root', root, '--as', '@ops'], {
      encoding: 'utf8',
      env: cliEnv({ TOKEN: token }),
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.status, r.stderr).toBe(0);
    const audit = readFileSync(join(root, '.runbook', 'runs', runIdOf(r.stdout), 'audit.jsonl'), 'utf8');
    for (const text of [r.stdout + r.stderr, audit]) {
      for (const half of [token.slice(0, 8), token.slice(-8)]) expect(text).not.toContain(half);
    }
  });
});
