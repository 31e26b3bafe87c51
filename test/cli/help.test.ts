import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cliEnv } from '../support/cli.js';

// The help text of every command, captured from the build before commands were loaded lazily
// (issue 12, item 6): registering commands cheaply must not change a word of it, nor an exit code.
// The later changes are deliberate: compile's and validate's --no-cache (the compile cache), issue
// 13's `runbook runs` with --audit-db's new wording (the database is the journal of record), its
// `runbook gate-event`, exit code 0 also meaning "parked at an approval gate", and resume's
// `--decide rollback:<step>` for a compensation in doubt, issue 14's `--environment` on every command that runs,
// `runbook wiki-export` (which links an Audit.md it finds) and the audit reviews (`audit list`, `verify --since`, `export`).
const repo = join(import.meta.dirname, '..', '..');
const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'help-output.json'), 'utf8')) as Record<
  string,
  { status: number; stdout: string; stderr: string }
>;

function argvOf(key: string): string[] {
  if (key === '(root)') return ['--help'];
  if (key.startsWith('argv:')) return key.slice(5).trim().split(' ').filter(Boolean);
  return [...key.split(' '), '--help'];
}

function runbook(args: string[], nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, bin, ...args], {
    encoding: 'utf8',
    env: cliEnv(),
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('runbook --help', { timeout: 120_000 }, () => {
  it.each(Object.keys(expected))('%s prints the same text and exit code as before', (key) => {
    expect(runbook(argvOf(key))).toEqual(expected[key]);
  });

  it('loads neither the compiler, the executor nor a heavy client', () => {
    // bench/module-count.js prints "<n> modules: <group> <count>, …" on stderr at exit.
    const { stderr } = runbook(['--help'], ['--import', join(repo, 'bench', 'module-count.js')]);
    const groups = stderr.match(/modules: (.*)/)?.[1] ?? '';
    expect(groups).toMatch(/commander/);
    for (const heavy of ['dist/compiler', '@aws-sdk', '@octokit', 'pg ', 'ajv', 'unified', 'handlebars', 'yaml'])
      expect(`${groups},`).not.toContain(heavy.endsWith(' ') ? heavy : `${heavy} `);
  });
});
