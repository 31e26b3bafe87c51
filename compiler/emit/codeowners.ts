import { docName } from '../load/loaded-doc.js';
import { generatedNotice, type Emitter } from './emitter.js';

/**
 * `.github/CODEOWNERS` from `metadata.owner`: a change to a runbook needs its owners' review once
 * branch protection requires code-owner reviews. One exact path per document, sorted.
 */
export const codeownersEmitter: Emitter = {
  id: 'codeowners',
  docs: 'CODEOWNERS entries for every document with an owner.',
  emit(result) {
    const owned = result.project.docs
      .map((doc) => ({
        path: doc.file.path,
        owner: (doc.data.metadata as { owner?: unknown } | undefined)?.owner,
        name: docName(doc),
      }))
      .filter((d): d is { path: string; owner: string; name: string | undefined } => typeof d.owner === 'string')
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const platform = platformOwners(
      result,
      owned.map((d) => d.owner),
    );
    const lines = [
      `# ${generatedNotice}`,
      '# Owners come from metadata.owner of each runbook document; everything else that decides',
      '# what runs (run requests, generated files, workflows, the tool and its lockfile) from the',
      "# Directory's. The last matching line wins, so a document's own owners come after.",
      '',
      ...(platform ? platformPaths.map((path) => `${path} ${platform}`) : []),
      ...owned.map((d) => `/${escapePath(d.path)} ${d.owner}`),
    ];
    return [{ path: '.github/CODEOWNERS', content: lines.join('\n') + '\n' }];
  },
  folders: ['.github'],
  owns: (path) => path === '.github/CODEOWNERS',
};

/**
 * Paths whose change alters what a job runs or with which code: without an owner, any single
 * approval (say, of a runbook's owner for one runbook) could change a workflow, a run request,
 * `generated/` or the tool's version (issue 11).
 */
export const platformPaths = [
  '/runbooks/',
  '/runs/',
  '/generated/',
  '/schemas/',
  '/.github/workflows/',
  '/.github/CODEOWNERS',
  '/package.json',
  '/package-lock.json',
  '/npm-shrinkwrap.json',
  '/yarn.lock',
  '/pnpm-lock.yaml',
];

/** The Directory's owner; without one, every document owner (any of them may approve). */
function platformOwners(result: Parameters<Emitter['emit']>[0], owners: string[]): string | undefined {
  const own = (result.context.directory?.doc.data.metadata as { owner?: unknown } | undefined)?.owner;
  if (typeof own === 'string') return own;
  const all = [...new Set(owners)].sort();
  return all.length ? all.join(' ') : undefined;
}

/** CODEOWNERS patterns are gitignore-like: escape spaces and leading special characters. */
function escapePath(path: string): string {
  return path.replace(/([ #!*?[\]\\])/g, '\\$1');
}
