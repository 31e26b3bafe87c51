import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, cliEnv } from '../support/cli.js';

/**
 * `runbook wiki-export DIR` as a command: its usage errors, a broken link failing the export with
 * nothing written, and what it writes (the publishing itself: test/adopter/wiki-publish.test.ts).
 */
let root: string;
const docs = () => join(root, 'generated', 'docs');
const runbook = (...args: string[]) => {
  const env = cliEnv();
  delete env.GITHUB_REPOSITORY;
  delete env.GITHUB_REF_NAME;
  return spawnSync(process.execPath, [bin, '--root', root, 'wiki-export', ...args], { encoding: 'utf8', env });
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-wiki-export-'));
  mkdirSync(docs(), { recursive: true });
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(docs(), 'Home.md'), '# Runbooks\n\n[Directory](Directory.md) · [source](../../runbooks)\n');
  writeFileSync(join(docs(), 'Directory.md'), '# Directory\n\n[Home](Home.md#runbooks), [call](tel:+15550100)\n');
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('runbook wiki-export', () => {
  it('needs OWNER/REPO (flag or GITHUB_REPOSITORY): exit 2', () => {
    const out = join(root, 'wiki-none');
    expect(runbook(out).status).toBe(2);
    const bad = runbook(out, '--repository', 'not a repo');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--repository must be OWNER/REPO');
    expect(existsSync(out)).toBe(false);
  });

  it('writes the pages with wiki links, for the branch given', () => {
    const out = join(root, 'wiki');
    const r = runbook(out, '--repository', 'o/r', '--branch', 'trunk');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 wiki pages written');
    expect(readFileSync(join(out, 'Home.md'), 'utf8')).toBe(
      '# Runbooks\n\n[Directory](/o/r/wiki/Directory) · [source](/o/r/blob/trunk/runbooks)\n',
    );
    expect(readFileSync(join(out, 'Directory.md'), 'utf8')).toBe(
      '# Directory\n\n[Home](/o/r/wiki#runbooks), [call](tel:+15550100)\n',
    );
  });

  it('links an Audit page found in the wiki (the Audit step writes it first) from Home and the sidebar', () => {
    writeFileSync(join(docs(), '_Sidebar.md'), '- [Home](Home.md)\n- [Directory](Directory.md)\n');
    const out = join(root, 'wiki-audit');
    mkdirSync(out);
    writeFileSync(join(out, 'Audit.md'), '# Audit\n');
    const r = runbook(out, '--repository', 'o/r');
    rmSync(join(docs(), '_Sidebar.md'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Audit.md linked from Home and _Sidebar');
    expect(readFileSync(join(out, '_Sidebar.md'), 'utf8')).toBe(
      '- [Home](/o/r/wiki)\n- [Directory](/o/r/wiki/Directory)\n- [Audit](/o/r/wiki/Audit)\n',
    );
    expect(readFileSync(join(out, 'Home.md'), 'utf8')).toMatch(/\n## Audit\n\n.*\[Audit\]\(\/o\/r\/wiki\/Audit\)/);
    expect(readFileSync(join(out, 'Audit.md'), 'utf8')).toBe('# Audit\n');
    // The committed copy never links a page that is not there.
    expect(readFileSync(join(docs(), 'Home.md'), 'utf8')).not.toContain('Audit');
  });

  it('links no Audit page when the wiki has none', () => {
    const out = join(root, 'wiki-no-audit');
    const r = runbook(out, '--repository', 'o/r');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Audit');
    expect(readFileSync(join(out, 'Home.md'), 'utf8')).not.toContain('Audit');
  });

  it('fails on a link that leads nowhere, naming it, and writes nothing: exit 1', () => {
    writeFileSync(join(docs(), 'Runbook-x.md'), '# X\n\n[gone](Runbook-gone.md)\n');
    const out = join(root, 'wiki-broken');
    const r = runbook(out, '--repository', 'o/r');
    rmSync(join(docs(), 'Runbook-x.md'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Runbook-x.md: the link "Runbook-gone.md" leads to no page or file');
    expect(existsSync(out)).toBe(false);
  });
});
