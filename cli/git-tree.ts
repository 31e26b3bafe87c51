import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const git = (root: string, args: string[]) => execFileSync('git', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });

/**
 * The runbook files of another commit, written to a temp dir from git's objects (no checkout, no
 * worktree): what `pr-comment` compiles as the pull request's base.
 */
export function treeAt(root: string, ref: string, paths: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-base-'));
  const files = git(root, ['ls-tree', '-r', '--name-only', ref, '--', ...paths])
    .toString()
    .split('\n')
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), git(root, ['show', `${ref}:${f}`]));
  }
  return dir;
}

/** Files added between two commits under a folder (new run requests of a push). */
export function addedFiles(root: string, before: string, after: string, folder: string): string[] {
  const zero = /^0+$/.test(before);
  const args = zero
    ? ['ls-tree', '-r', '--name-only', after, '--', folder]
    : ['diff', '--name-only', '--diff-filter=A', before, after, '--', folder];
  return git(root, args)
    .toString()
    .split('\n')
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));
}
