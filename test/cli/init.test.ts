import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bin, cliEnv } from '../support/cli.js';

/** `runbook init`: the adopter scaffold, compiled cleanly; never overwrites without --force. */
const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'runbook-init-'));
  dirs.push(d);
  return d;
};
const cli = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [bin, ...args], { cwd, env: cliEnv(), encoding: 'utf8' });
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('runbook init', () => {
  it('scaffolds a repository that validates and compiles, pinning the running version', () => {
    const dir = tempDir();
    const r = cli(['init', 'My Runbooks'], dir);
    expect(r.status, r.stderr).toBe(0);
    const root = join(dir, 'My Runbooks');
    for (const f of [
      'package.json',
      '.gitignore',
      'runbooks/directory.yaml',
      'runbooks/templates/status-update.md.hbs',
      'runbooks/service-health-check.yaml',
    ]) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
      dependencies: Record<string, string>;
    };
    expect(pkg).toMatchObject({ name: 'my-runbooks', dependencies: { 'runbook-as-code': version } });
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^\.runbook\/$/m);
    expect(r.stdout).toContain('npm install');
    expect(r.stdout).toContain('npx runbook compile');
    // Issue 13: how to set up the audit database, and what it gives; never a URL with a password.
    expect(r.stdout).toContain('any managed PostgreSQL');
    expect(r.stdout).toMatch(/npx runbook audit db-setup --audit-db \S+ .*once, as an administrator/);
    expect(r.stdout).toMatch(/repository secret RUNBOOK_AUDIT_DB to that writer login's URL/);
    expect(r.stdout).toMatch(/resume of a lost run on any runner, one lock across runners, approval gates that park/);
    expect(r.stdout).not.toMatch(/\w+:\/\/[^\s@/]+:[^\s@/]+@/);
    const validate = cli(['--root', root, 'validate', '--verbose'], dir);
    expect(validate.stdout + validate.stderr).toContain('no problems');
    expect(cli(['--root', root, 'compile'], dir).status).toBe(0);
    expect(existsSync(join(root, '.github/workflows/runbook-service-health-check.yml'))).toBe(true);
  });

  it('writes a tarball path as a file: spec relative to the repository', () => {
    const dir = tempDir();
    const r = cli(['init', 'repo', '--tool', join(dir, 'pkgs', 'runbook-as-code-9.9.9.tgz')], dir);
    expect(r.status, r.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, 'repo', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies['runbook-as-code']).toBe('file:../pkgs/runbook-as-code-9.9.9.tgz');
  });

  it('refuses to overwrite existing files, naming each, and writes nothing; --force replaces them', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{"name":"mine"}\n');
    const r = cli(['init'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('refusing to overwrite');
    expect(r.stderr).toMatch(/^ {2}package\.json$/m);
    expect(r.stderr).toContain('--force');
    expect(existsSync(join(dir, 'runbooks'))).toBe(false);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe('{"name":"mine"}\n');
    expect(cli(['init', '--force'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toContain('runbook-as-code');
  });
});
