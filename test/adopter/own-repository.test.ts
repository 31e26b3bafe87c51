import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../support/cli.js';

/**
 * The generated workflows' `npx runbook …` in this repository, the tool's own: npx runs the root
 * package's own bin (its `bin` field), built by `prepare` during `npm ci`, with nothing installed
 * under node_modules/.bin. `--no` makes npx fail instead of fetching a package of that name.
 */
describe("npx runbook in the tool's own repository", () => {
  it('runs the root package bin', () => {
    const env = Object.fromEntries(
      Object.entries(cliEnv({ npm_config_offline: 'true' })).filter(([k]) => !/^npm_(?!config_offline)/i.test(k)),
    );
    const r = spawnSync('npx', ['--no', 'runbook', 'compile', '--check'], {
      cwd: join(import.meta.dirname, '..', '..'),
      env,
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/could not determine executable|npx canceled/);
    expect(r.stdout + r.stderr).toMatch(/generated files are (up to date|stale)/);
  });
});
