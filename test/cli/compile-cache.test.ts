import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, cliEnv } from '../support/cli.js';

/**
 * `runbook compile` through its cache (.runbook/cache/compile, compiler/cache/) writes exactly what
 * `--no-cache` writes; `--no-cache` neither reads nor writes the cache; `--check` writes nothing.
 */
const repo = join(import.meta.dirname, '..', '..');
const fixture = join(repo, 'test', 'fixtures', 'equivalence', 'yaml');
const cache = (dir: string) => join(dir, '.runbook', 'cache', 'compile', 'index.json');

function runbook(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 90_000, env: cliEnv() });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copyTree(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-cache-cli-'));
  temps.push(dir);
  // Not the fixture's own .runbook/: other tests validate the fixture in place, which caches there.
  cpSync(src, dir, { recursive: true, filter: (path) => !path.split(/[\\/]/).includes('.runbook') });
  return dir;
}

/** Every generated file (generated/ and .github/), by path, with its content. */
function outputs(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(abs, e.name));
      else out[relative(dir, join(abs, e.name))] = readFileSync(join(abs, e.name), 'utf8');
    }
  };
  for (const top of ['generated', '.github']) if (existsSync(join(dir, top))) walk(join(dir, top));
  return out;
}

function editTitle(dir: string): void {
  const path = join(dir, 'runbooks', 'database-corruption-recovery.yaml');
  writeFileSync(path, readFileSync(path, 'utf8').replace('title: Stop application writes', 'title: Stop all writes'));
}

describe('runbook compile and its cache', { timeout: 120_000 }, () => {
  it('after an edit, writes through the cache exactly what --no-cache writes', () => {
    const cached = copyTree(fixture);
    expect(runbook('compile', '--root', cached).code).toBe(0);
    expect(existsSync(cache(cached))).toBe(true);
    editTitle(cached);
    expect(runbook('compile', '--root', cached).code).toBe(0);

    const fresh = copyTree(fixture);
    editTitle(fresh);
    expect(runbook('compile', '--no-cache', '--root', fresh).code).toBe(0);
    expect(existsSync(cache(fresh))).toBe(false); // --no-cache writes no cache
    const written = outputs(cached);
    expect(JSON.stringify(written)).toContain('Stop all writes');
    expect(written).toEqual(outputs(fresh));
    expect(runbook('compile', '--check', '--root', cached).code).toBe(0);
  });

  it('--check writes no cache', () => {
    const dir = copyTree(fixture);
    runbook('compile', '--check', '--root', dir);
    expect(existsSync(join(dir, '.runbook'))).toBe(false);
  });
});
