import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cliEnv, compiledRoot } from '../support/cli.js';

/**
 * Issue 12, item 6: heavy clients are imported on first use. A run loads an action's module (and
 * the AWS SDK, pg or Octokit it imports) only when a step of that action runs or is planned, and
 * the audit and lock code import pg only to open a connection.
 */
const repo = join(import.meta.dirname, '..', '..');
/** The AWS SDK (and its Smithy runtime), Octokit, and pg with its own packages (pg-protocol, pg-types, …). */
const heavy = /^(@aws-sdk|@smithy|@octokit)\/|^pg(-|$)/;

const shellOnly = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: shell-only, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - { id: hello, run: "echo hello", estimate: 1s, timeout: 30s }
`;

const rdsRead = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: rds-read, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: describe
          uses: aws.rds.describe-db-instance
          with: { region: us-east-1, dbInstanceIdentifier: prod-db }
          estimate: 1s
          timeout: 30s
`;

const pgRead = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: pg-read, owner: "@acme/sre" }
spec:
  secrets: [DB_URL]
  phases:
    - id: only
      steps:
        - id: count
          uses: postgres.query
          with: { url: "{{secrets.DB_URL}}", sql: "select 1" }
          estimate: 1s
          timeout: 30s
`;

const dnsRead = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: dns-read, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: record
          uses: aws.route53.get-record
          with: { hostedZoneId: Z123, name: db.example.com, type: CNAME }
          estimate: 1s
          timeout: 30s
`;

/** The CLI under bench/module-count.js: its exit status and every package or folder it loaded. */
function loaded(args: string[]): { status: number | null; stdout: string; groups: string[] } {
  const r = spawnSync(process.execPath, ['--import', join(repo, 'bench', 'module-count.js'), bin, ...args], {
    encoding: 'utf8',
    env: cliEnv({ MODULE_COUNT_ALL: '1' }),
    timeout: 30_000,
  });
  // bench/module-count.js prints "<n> modules: <group> <count>, …" on stderr at exit.
  const groups = (/modules: (.*)/.exec(r.stderr)?.[1] ?? '').split(', ').map((g) => g.replace(/ \d+$/, ''));
  return { status: r.status, stdout: r.stdout, groups };
}

const heavyIn = (groups: string[]) => groups.filter((g) => heavy.test(g));

describe('runbook run', { timeout: 60_000 }, () => {
  let root: string;
  beforeAll(() => {
    root = compiledRoot('runbook-run-modules-', {
      'shell-only.yaml': shellOnly,
      'rds-read.yaml': rdsRead,
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('of a shell-only runbook loads neither the AWS SDK, pg nor Octokit, dry or live', () => {
    for (const dry of [['--dry-run'], []]) {
      const r = loaded(['run', 'shell-only', '--root', root, ...dry]);
      expect(r.status, r.stdout).toBe(0);
      expect(r.groups).toContain('dist/executor');
      expect(heavyIn(r.groups)).toEqual([]);
    }
  });

  it('loads the AWS SDK once a step of an AWS action is planned', () => {
    const r = loaded(['run', 'rds-read', '--root', root, '--dry-run']);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/describe .* succeeded/);
    expect(r.groups).toContain('@aws-sdk/client-rds');
    // Neither pg nor Octokit, and of the AWS services only RDS (executor/aws/clients.ts loads each on first use).
    expect(heavyIn(r.groups).filter((g) => !g.startsWith('@aws-sdk/') && !g.startsWith('@smithy/'))).toEqual([]);
    expect(r.groups).not.toContain('@aws-sdk/client-route-53');
  });
});

describe('runbook plan', { timeout: 60_000 }, () => {
  let root: string;
  beforeAll(() => {
    root = compiledRoot('runbook-plan-modules-', {
      'pg-read.yaml': pgRead,
      'dns-read.yaml': dnsRead,
      'shell-only.yaml': shellOnly,
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('of a runbook that queries PostgreSQL loads neither pg nor Octokit (pg waits for a connection)', () => {
    const r = loaded(['plan', 'pg-read', '--root', root]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/count/);
    expect(r.groups).toContain('dist/executor');
    expect(heavyIn(r.groups)).toEqual([]);
  });

  it('of a shell-only runbook, with or without --json, loads no heavy client', () => {
    for (const json of [['--json'], []]) {
      const r = loaded(['plan', 'shell-only', '--root', root, ...json]);
      expect(r.status, r.stdout).toBe(0);
      expect(heavyIn(r.groups)).toEqual([]);
    }
  });

  it('of a Route 53 step loads the Route 53 client only, not RDS', () => {
    const r = loaded(['plan', 'dns-read', '--root', root]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.groups).toContain('@aws-sdk/client-route-53');
    expect(r.groups).not.toContain('@aws-sdk/client-rds');
  });
});
