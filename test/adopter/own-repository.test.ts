import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../support/cli.js';
import { spawnAsync } from '../support/spawn-async.js';

/**
 * The generated workflows' `npx runbook …` in this repository, the tool's own: npx runs the root
 * package's own bin (its `bin` field), built by `prepare` during `npm ci`, with nothing installed
 * under node_modules/.bin. `--no` makes npx fail instead of fetching a package of that name.
 */
describe("npx runbook in the tool's own repository", () => {
  it('runs the root package bin', async () => {
    const env = Object.fromEntries(
      Object.entries(cliEnv({ npm_config_offline: 'true' })).filter(([k]) => !/^npm_(?!config_offline)/i.test(k)),
    );
    const r = await spawnAsync('npx', ['--no', 'runbook', 'compile', '--check'], {
      cwd: join(import.meta.dirname, '..', '..'),
      env,
      timeoutMs: 170_000,
    });
    expect(r.stderr).not.toMatch(/could not determine executable|npx canceled/);
    expect(r.stdout + r.stderr).toMatch(/generated files are (up to date|stale)/);
  }, 180_000); // npx plus a compile of the whole library: 108 s seen at a load average of 20
});
