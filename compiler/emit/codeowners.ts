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
      .map((doc) => ({ path: doc.file.path, owner: (doc.data.metadata as { owner?: unknown } | undefined)?.owner, name: docName(doc) }))
      .filter((d): d is { path: string; owner: string; name: string | undefined } => typeof d.owner === 'string')
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const lines = [
      `# ${generatedNotice}`,
      '# Owners come from metadata.owner of each runbook document.',
      '',
      ...owned.map((d) => `/${escapePath(d.path)} ${d.owner}`),
    ];
    return [{ path: '.github/CODEOWNERS', content: lines.join('\n') + '\n' }];
  },
  owns: (path) => path === '.github/CODEOWNERS',
};

/** CODEOWNERS patterns are gitignore-like: escape spaces and leading special characters. */
function escapePath(path: string): string {
  return path.replace(/([ #!*?[\]\\])/g, '\\$1');
}
