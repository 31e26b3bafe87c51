import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, cliEnv } from '../support/cli.js';

/** The CLI as users run it: the built bin, a child process, its stdout/stderr and exit code. */
const repo = join(import.meta.dirname, '..', '..');
const fixture = (...p: string[]) => join(repo, 'test', 'fixtures', ...p);

function runbook(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 90_000, env: cliEnv() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copyTree(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-cli-'));
  temps.push(dir);
  cpSync(src, dir, { recursive: true });
  return dir;
}

describe('runbook validate', { timeout: 120_000 }, () => {
  const broken = fixture('diagnostics', 'unknown-need', 'yaml');
  const expected = JSON.parse(readFileSync(join(broken, 'expect.json'), 'utf8'))[0];

  it('prints the exact position with a code frame and exits 1', () => {
    const r = runbook('validate', '--root', broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${expected.file}:${expected.line}:${expected.column} error`);
    expect(r.stdout).toContain('[unknown-need]');
    expect(r.stdout).toMatch(/^\s+> +\d+ \|/m); // the code frame's marked line
    expect(r.stdout).toMatch(/\|\s+\^+/); // the pointer
  });

  it('--format json gives 1-based positions', () => {
    const r = runbook('validate', '--root', broken, '--format', 'json');
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout);
    expect(rows[0]).toMatchObject({
      code: 'unknown-need',
      severity: 'error',
      file: expected.file,
      line: expected.line,
      column: expected.column,
    });
    expect(rows[0].endLine).toBeGreaterThanOrEqual(rows[0].line);
    expect(rows[0].endColumn).toBeGreaterThan(0);
  });

  it('--format github prints workflow annotations', () => {
    const r = runbook('validate', '--root', broken, '--format', 'github');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `^::error file=[^,]*${expected.file.replace(/[/.]/g, '\\$&')},line=${expected.line},col=${expected.column},endLine=\\d+,endColumn=\\d+,title=runbook unknown-need::`,
        'm',
      ),
    );
  });

  it('exits 0 on a clean tree', () => {
    const r = runbook('validate', '--root', fixture('equivalence', 'yaml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('reports only the paths asked for, while resolving references across the tree', () => {
    const r = runbook(
      'validate',
      'runbooks/does-not-exist.yaml',
      '--root',
      fixture('equivalence', 'yaml'),
      '--format',
      'json',
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ code: 'read-error' });
  });
});

describe('runbook compile', { timeout: 120_000 }, () => {
  it('writes generated/, then --check passes, and fails listing stale and orphaned files', () => {
    const dir = copyTree(fixture('equivalence', 'yaml'));
    expect(runbook('compile', '--root', dir).code).toBe(0);
    const graph = join(dir, 'generated', 'graphs', 'database-corruption-recovery.json');
    expect(JSON.parse(readFileSync(graph, 'utf8')).name).toBe('database-corruption-recovery');
    expect(runbook('compile', '--check', '--root', dir).code).toBe(0);

    writeFileSync(graph, '{}\n');
    writeFileSync(join(dir, 'generated', 'graphs', 'removed-runbook.json'), '{}\n');
    const r = runbook('compile', '--check', '--root', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('changed  generated/graphs/database-corruption-recovery.json');
    expect(r.stderr).toContain('orphaned generated/graphs/removed-runbook.json');
    // --check never writes.
    expect(readFileSync(graph, 'utf8')).toBe('{}\n');
  });

  it('writes nothing when the tree has errors', () => {
    const dir = copyTree(fixture('diagnostics', 'unknown-need', 'yaml'));
    const r = runbook('compile', '--root', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing written');
    expect(() => readFileSync(join(dir, 'generated', 'graphs', 'x.json'))).toThrow();
  });
});

describe('runbook graph and usage', { timeout: 120_000 }, () => {
  it('prints a Mermaid flowchart', () => {
    const r = runbook('graph', 'database-corruption-recovery', '--root', fixture('equivalence', 'yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^flowchart/m);
    expect(r.stdout).toContain('subgraph');
  });

  it('an unknown runbook is a usage error with a suggestion', () => {
    const r = runbook('graph', 'database-corruption-recovry', '--root', fixture('equivalence', 'yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "database-corruption-recovery"');
  });

  it('--help documents commands and exit codes; bad options exit 2', () => {
    const help = runbook('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    expect(help.stdout).toMatch(/validate/);
    expect(runbook('validate', '--format', 'xml').code).toBe(2);
    expect(runbook('frobnicate').code).toBe(2);
  });
});
