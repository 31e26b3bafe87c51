import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, cliEnv } from '../support/cli.js';

/**
 * `runbook validate` remembers the findings of an unchanged tree (.runbook/cache/compile/validate.json,
 * compiler/cache/validate-cache.ts), as eslint --cache does: what it prints from the cache is byte for
 * byte what `--no-cache` prints, before and after an edit, and a warm run loads no parser.
 */
const repo = join(import.meta.dirname, '..', '..');
const memo = (dir: string) => join(dir, '.runbook', 'cache', 'compile', 'validate.json');
const moduleCount = join(repo, 'bench', 'module-count.js');

function runbook(args: string[], nodeArgs: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...nodeArgs, bin, ...args], {
    encoding: 'utf8',
    timeout: 90_000,
    env: cliEnv({ MODULE_COUNT_ALL: '1', ...env }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The library (runbooks/) in a temp root, with findings: a 6-field cron and an unknown step field. */
function libraryWithFindings(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-validate-cache-'));
  temps.push(dir);
  cpSync(join(repo, 'runbooks'), join(dir, 'runbooks'), { recursive: true });
  edit(dir, 'runbooks/backup/ecommerce-rds-daily.yaml', 'schedule: "0 3 * * *"', 'schedule: "0 0 3 * * *"');
  edit(dir, 'runbooks/directory.yaml', 'schedule: "0 14 15 1 *"', 'schedule: "@daily"');
  return dir;
}

function edit(dir: string, file: string, from: string, to: string): void {
  const text = readFileSync(join(dir, file), 'utf8');
  expect(text).toContain(from);
  writeFileSync(join(dir, file), text.replace(from, to));
}

const variants = [
  [],
  ['--format', 'json'],
  ['--format', 'github'],
  ['--verbose'],
  ['runbooks/backup'],
  ['runbooks/failover', '--format', 'json'],
];

/** Each variant's output and exit code: once through the cache and once with --no-cache. */
function both(dir: string, args: string[]) {
  const cached = runbook(['validate', '--root', dir, ...args]);
  const fresh = runbook(['validate', '--no-cache', '--root', dir, ...args]);
  return { cached, fresh };
}

describe('runbook validate and its cache', { timeout: 180_000 }, () => {
  it('prints from a warm cache exactly what --no-cache prints, and loads no parser', () => {
    const dir = libraryWithFindings();
    runbook(['validate', '--root', dir]); // warm the cache
    expect(existsSync(memo(dir))).toBe(true);
    for (const args of variants) {
      const { cached, fresh } = both(dir, args);
      if (!args.includes('runbooks/failover')) expect(fresh.stdout).toContain('invalid-cron');
      expect({ args, ...cached }).toEqual({ args, ...fresh });
    }
    const warm = runbook(['validate', '--root', dir], ['--import', moduleCount]);
    expect(warm.code).toBe(1);
    expect(warm.stderr).not.toMatch(/\byaml \d+/); // the YAML parser was not loaded: nothing parsed
    expect(warm.stderr).not.toMatch(/\bmicromark/);
  });

  it('after an edit, reports the tree as it now is (not the cached findings)', () => {
    const dir = libraryWithFindings();
    runbook(['validate', '--root', dir]);
    edit(dir, 'runbooks/backup/ecommerce-rds-daily.yaml', 'schedule: "0 0 3 * * *"', 'schedule: "0 3 * * *"');
    for (const args of variants) {
      const { cached, fresh } = both(dir, args);
      expect({ args, ...cached }).toEqual({ args, ...fresh });
      expect(cached.stdout).not.toContain('0 0 3 * * *');
    }
    edit(dir, 'runbooks/directory.yaml', 'schedule: "@daily"', 'schedule: "0 14 15 1 *"');
    const clean = both(dir, []);
    expect(clean.cached).toEqual(clean.fresh);
    expect(clean.cached.code).toBe(0);
  });

  it('with --no-cache, neither reads nor writes the cache', () => {
    const dir = libraryWithFindings();
    expect(runbook(['validate', '--no-cache', '--root', dir]).code).toBe(1);
    expect(existsSync(memo(dir))).toBe(false);
    runbook(['validate', '--root', dir]);
    // A cache that says "no problems" for this very tree would be believed by a cached run only.
    const text = readFileSync(memo(dir), 'utf8');
    const body = JSON.parse(text.slice(65)) as { key: string };
    const forged = JSON.stringify({ key: body.key, diagnostics: [] });
    writeFileSync(memo(dir), `${createHash('sha256').update(forged).digest('hex')}\n${forged}`);
    expect(runbook(['validate', '--root', dir]).code).toBe(0);
    expect(runbook(['validate', '--no-cache', '--root', dir]).code).toBe(1);
  });

  it('misses when RUNBOOK_TODAY or a drill record changes (drill freshness depends on both)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-validate-cache-'));
    temps.push(dir);
    // A live drill against the loopback demo: it does not count for freshness (issue 14).
    cpSync(join(repo, 'test', 'fixtures', 'diagnostics', 'drill-overdue', 'demo-only'), dir, { recursive: true });
    const at = (today: string, ...args: string[]) =>
      runbook(['validate', '--root', dir, '--format', 'json', ...args], [], { RUNBOOK_TODAY: today });
    const early = at('2026-02-01');
    expect(existsSync(memo(dir))).toBe(true);
    const late = at('2031-02-01');
    expect(late.stdout).toContain('2031-02-01');
    expect(late).toEqual(at('2031-02-01', '--no-cache'));
    expect(at('2026-02-01')).toEqual(early);
    const record = join(dir, 'drills', 'records', '20260115-restore-database.json');
    // The record becomes a drill against the environment the runbook declares: no longer overdue.
    const declared = '"name": "production-drill",\n    "source": "runbook"';
    writeFileSync(record, readFileSync(record, 'utf8').replace(/"name": "local",\s*"source": "demo"/, declared));
    const drilled = at('2026-02-01');
    expect(drilled.stdout).not.toContain('drill-overdue');
    expect(drilled).toEqual(at('2026-02-01', '--no-cache'));
  });
});
