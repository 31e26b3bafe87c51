import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository this suite tests. */
export const repo = join(import.meta.dirname, '..', '..');

/**
 * A throwaway root holding a copy of the library's compiled graphs, for tests that run library
 * runbooks: their journals, concurrency locks and drill records go under it, not under the working
 * tree's .runbook/, which test files running in parallel (and a developer's own runs) share.
 */
export function libraryRoot(): { root: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'runbook-library-'));
  cpSync(join(repo, 'generated', 'graphs'), join(root, 'generated', 'graphs'), { recursive: true });
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
