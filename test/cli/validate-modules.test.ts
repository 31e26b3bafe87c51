import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cliEnv } from '../support/cli.js';

/**
 * Issue 12, item 6: `runbook validate` loads a parser only for what the tree holds. cron-parser
 * (with luxon) is loaded by the first schedule (compiler/rules/cron.ts), so a tree without
 * BackupPlans or drill schedules never loads it. `--no-cache` so that every file is parsed.
 */
const repo = join(import.meta.dirname, '..', '..');

/** The packages and folders `runbook validate --no-cache` loads for a root, and its exit status. */
function loaded(root: string): { status: number | null; groups: string[] } {
  const r = spawnSync(
    process.execPath,
    ['--import', join(repo, 'bench', 'module-count.js'), bin, 'validate', '--no-cache', '--root', root],
    { encoding: 'utf8', env: cliEnv({ MODULE_COUNT_ALL: '1' }), timeout: 60_000 },
  );
  // bench/module-count.js prints "<n> modules: <group> <count>, …" on stderr at exit.
  const groups = (/modules: (.*)/.exec(r.stderr)?.[1] ?? '').split(', ').map((g) => g.replace(/ \d+$/, ''));
  return { status: r.status, groups };
}

describe('runbook validate --no-cache', { timeout: 120_000 }, () => {
  it('of a tree without schedules loads neither cron-parser nor luxon', () => {
    const r = loaded(join(repo, 'test', 'fixtures', 'equivalence', 'yaml'));
    expect(r.status).toBe(0);
    expect(r.groups).toContain('yaml'); // it did parse the tree
    expect(r.groups).not.toContain('cron-parser');
    expect(r.groups).not.toContain('luxon');
  });

  it('of the library (BackupPlans and drill schedules) loads cron-parser to check them', () => {
    const r = loaded(repo);
    expect(r.status).toBe(0);
    expect(r.groups).toContain('cron-parser');
  });
});
