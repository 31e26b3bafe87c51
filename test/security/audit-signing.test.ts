import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../executor/audit/record.js';
import { readRecords, rechain, writeRecords } from '../support/forge-log.js';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * RUNBOOK_AUDIT_KEY signs every record's hash (HMAC-SHA256 or ed25519). A writer who rewrites the
 * log and recomputes every hash, or invents one, passes the chain but not `audit verify` with
 * the key, which names the record and says why. The key never appears in any output or file.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: signed, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - { id: one, run: echo one }
        - { id: peek, run: 'echo "key=$RUNBOOK_AUDIT_KEY"' }
`;

const hmacKey = `hmac:${randomBytes(32).toString('base64')}`;
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const edPrivate = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const edPublic = publicKey.export({ type: 'spki', format: 'pem' }).toString();

let root: string;
const outputs: string[] = [];
const cli = (env: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args, '--root', root], {
    encoding: 'utf8',
    env: cliEnv(env),
    timeout: 60_000,
  });
  outputs.push(r.stdout, r.stderr);
  return r;
};
const records = readRecords;
const write = (name: string, rs: readonly object[]) => writeRecords(join(root, name), rs);
function runSigned(key: string): string {
  const run = cli({ RUNBOOK_AUDIT_KEY: key }, 'run', 'signed', '--as', '@ops');
  expect(run.status, run.stdout + run.stderr).toBe(0);
  return join(root, '.runbook', 'runs', runIdOf(run.stdout), 'audit.jsonl');
}
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)],
  );
}

let hmacLog: string;
let edLog: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-signing-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'signed.yaml'), runbook);
  expect(cli({}, 'compile').status).toBe(0);
  hmacLog = runSigned(hmacKey);
  edLog = runSigned(edPrivate);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('audit signing with an HMAC key', () => {
  it('signs every record, and verify with the key accepts the honest log', () => {
    expect(records(hmacLog).every((r) => typeof r.sig === 'string' && r.sig.startsWith('hmac-sha256:'))).toBe(true);
    const v = cli({ RUNBOOK_AUDIT_KEY: hmacKey }, 'audit', 'verify', hmacLog);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/every record signed/);
  });

  it('fails a recomputed log that plain verify accepts, naming the record', () => {
    const rs = records(hmacLog);
    rs[1] = { ...rs[1], actor: '@someone-else' };
    const forged = write('hmac-forged.jsonl', rechain(rs));
    expect(cli({}, 'audit', 'verify', forged).status).toBe(0); // the chain alone cannot tell
    const v = cli({ RUNBOOK_AUDIT_KEY: hmacKey }, 'audit', 'verify', forged);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/bad-signature at line 2: record 2: signature does not match the key/);
  });

  it('fails an invented log without signatures, naming the first unsigned record', () => {
    const invented = write(
      'hmac-invented.jsonl',
      rechain(records(hmacLog).map(({ sig: _s, ...r }) => ({ ...r, ts: '2020-01-01T00:00:00.000Z' }) as AuditRecord)),
    );
    expect(cli({}, 'audit', 'verify', invented).status).toBe(0);
    const v = cli({ RUNBOOK_AUDIT_KEY: hmacKey }, 'audit', 'verify', invented);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/unsigned at line 1: record 1 is unsigned/);
  });

  it('fails the honest log against another key', () => {
    const v = cli({ RUNBOOK_AUDIT_KEY: `hmac:${randomBytes(32).toString('base64')}` }, 'audit', 'verify', hmacLog);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/record 1: signature does not match the key/);
  });

  it('refuses a run with an unusable key before anything runs, without quoting it', () => {
    const weak = 'hmac:c2VjcmV0LXZhbHVl'; // 12 bytes
    const r = cli({ RUNBOOK_AUDIT_KEY: weak }, 'run', 'signed', '--as', '@ops');
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/RUNBOOK_AUDIT_KEY is not a usable HMAC key/);
    expect(r.stdout + r.stderr).not.toContain('c2VjcmV0LXZhbHVl');
  });
});

describe('audit signing with an ed25519 key', () => {
  it('signs with the private key; the public key (env or --key file) verifies', () => {
    expect(records(edLog).every((r) => r.sig?.startsWith('ed25519:'))).toBe(true);
    const byEnv = cli({ RUNBOOK_AUDIT_PUBKEY: edPublic }, 'audit', 'verify', edLog);
    expect(byEnv.status, byEnv.stdout + byEnv.stderr).toBe(0);
    expect(byEnv.stdout).toMatch(/every record signed \(ed25519\)/);
    const pubFile = join(root, 'audit.pub');
    writeFileSync(pubFile, edPublic);
    expect(cli({}, 'audit', 'verify', edLog, '--key', pubFile).status).toBe(0);
  });

  it('fails a recomputed log and an unsigned one', () => {
    const rs = records(edLog);
    rs[2] = { ...rs[2], ts: '2020-01-01T00:00:00.000Z' };
    const forged = write('ed-forged.jsonl', rechain(rs));
    expect(cli({}, 'audit', 'verify', forged).status).toBe(0);
    const v = cli({ RUNBOOK_AUDIT_PUBKEY: edPublic }, 'audit', 'verify', forged);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/bad-signature at line 3: record 3: signature does not match the key \(ed25519\)/);
    const stripped = write(
      'ed-stripped.jsonl',
      records(edLog).map(({ sig: _s, ...r }) => r),
    );
    const u = cli({ RUNBOOK_AUDIT_PUBKEY: edPublic }, 'audit', 'verify', stripped);
    expect(u.status).toBe(1);
    expect(u.stdout).toMatch(/record 1 is unsigned, but an ed25519 audit key is configured/);
  });

  it('fails the log against another ed25519 public key', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const v = cli({ RUNBOOK_AUDIT_PUBKEY: other }, 'audit', 'verify', edLog);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/record 1: signature does not match the key/);
  });
});

describe('the audit key is a secret', () => {
  it('signs with it, yet it appears in no output and no file of the runs', () => {
    // The key was in use (every record signed), so this is not a run that merely ignored it.
    expect([...records(hmacLog), ...records(edLog)].every((r) => typeof r.sig === 'string')).toBe(true);
    const b64 = hmacKey.slice('hmac:'.length);
    const pemBody = edPrivate.split('\n').filter((l) => l && !l.startsWith('-----'));
    const forbidden = [hmacKey, b64, ...pemBody];
    const texts = [...outputs, ...filesUnder(join(root, '.runbook')).map((f) => readFileSync(f, 'utf8'))];
    for (const t of texts) for (const k of forbidden) expect(t).not.toContain(k);
    // The step that printed $RUNBOOK_AUDIT_KEY got nothing: steps do not inherit it.
    const peek = records(hmacLog).find((r) => r.type === 'step:end' && r.stepId === 'peek');
    expect(JSON.stringify(peek?.data)).not.toMatch(/key=[^"\\]/);
  });
});
