import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords, rechain, writeRecords } from '../support/forge-log.js';
import { bin, cliEnv, runIdOf } from '../support/cli.js';

/**
 * `runbook audit verify` as an auditor uses it: strict by default (a truncated log fails unless
 * `--allow-incomplete`), and, given the head published elsewhere (`--anchor`), a log its writer
 * rewrote with recomputed hashes, or invented whole, fails too.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: audited, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - { id: one, run: echo one }
        - { id: two, run: echo two }
`;

let root: string;
let log: string;
let head: string;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], { encoding: 'utf8', env: cliEnv(), timeout: 60_000 });
const records = () => readRecords(log);
const write = (name: string, rs: readonly object[]) => writeRecords(join(root, name), rs);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-verify-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'audited.yaml'), runbook);
  expect(cli('compile').status).toBe(0);
  const run = cli('run', 'audited', '--as', '@ops');
  expect(run.status, run.stdout + run.stderr).toBe(0);
  log = join(root, '.runbook', 'runs', runIdOf(run.stdout), 'audit.jsonl');
  const v = cli('audit', 'verify', log);
  expect(v.status, v.stdout).toBe(0);
  head = /head (\d+:[0-9a-f]{64})/.exec(v.stdout)![1];
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('audit verify', () => {
  it('fails on a truncated log by default, and says why; --allow-incomplete accepts a running run', () => {
    const truncated = write('truncated.jsonl', records().slice(0, -2));
    const strict = cli('audit', 'verify', truncated);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toMatch(/incomplete .*no run:end/);
    expect(cli('audit', 'verify', truncated, '--allow-incomplete').status).toBe(0);
  });

  it('accepts the log against its own published head', () => {
    const v = cli('audit', 'verify', log, '--anchor', head);
    expect(v.status, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/anchor matches/);
  });

  it('fails on a rewritten log with recomputed hashes when given the published head', () => {
    const rs = records();
    rs[0] = { ...rs[0], actor: '@someone-else' };
    const forged = write('forged.jsonl', rechain(rs));
    expect(cli('audit', 'verify', forged).status).toBe(0); // the chain alone cannot tell
    const v = cli('audit', 'verify', forged, '--anchor', head);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/anchor-mismatch.*rewritten/);
  });

  it('fails on an invented log when given the published head', () => {
    const invented = write(
      'invented.jsonl',
      rechain(records().map((r) => ({ ...r, runId: r.runId, ts: '2020-01-01T00:00:00.000Z' }))),
    );
    const v = cli('audit', 'verify', invented, '--anchor', head.split(':')[1]);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/no record has the anchored hash/);
  });

  it('refuses an anchor that is not a head', () => {
    const v = cli('audit', 'verify', log, '--anchor', 'abc');
    expect(v.status).not.toBe(0);
    expect(v.stderr).toMatch(/not SEQ:HASH/);
  });
});

describe('audit report paths', () => {
  it('refuse a drill record whose report path leaves the repository, and write nothing there', () => {
    const runId = records()[0].runId;
    const outside = join(tmpdir(), `runbook-escape-${process.pid}-${Date.now()}.md`);
    mkdirSync(join(root, 'drills', 'records'), { recursive: true });
    const rel = join('..', '..', '..', '..', '..', '..', '..', '..', outside);
    writeFileSync(join(root, 'drills', 'records', `${runId}.json`), JSON.stringify({ runId, report: rel }));
    const r = cli('audit', 'report', runId);
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(/outside the repository/);
    expect(existsSync(outside)).toBe(false);
  });
});
