import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { docName, type Kind, type LoadedDoc } from '../load/loaded-doc.js';
import { loadFile } from '../load/load-file.js';
import type { SourceFile } from '../source/source-file.js';

/** All documents of a tree, indexed by kind and name. */
export interface Project {
  readonly files: Map<string, SourceFile>;
  readonly docs: LoadedDoc[];
  byName(kind: Kind, name: string): LoadedDoc | undefined;
  ofKind(kind: Kind): LoadedDoc[];
  readonly directory?: LoadedDoc;
}

export function buildProject(files: readonly SourceFile[]): { project: Project; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const docs: LoadedDoc[] = [];
  for (const file of files) {
    const result = loadFile(file);
    docs.push(...result.docs);
    diagnostics.push(...result.diagnostics);
  }
  const index = new Map<string, LoadedDoc>();
  for (const doc of docs) {
    const name = docName(doc);
    if (name === undefined) continue;
    const key = `${doc.kind}/${name}`;
    const first = index.get(key);
    if (first) {
      diagnostics.push({
        code: 'duplicate-name', severity: 'error', file: doc.file.path, range: doc.map.range('/metadata/name'),
        message: `${doc.kind} "${name}" is already defined in ${first.file.path}`,
      });
    } else index.set(key, doc);
  }
  const directories = docs.filter((d) => d.kind === 'Directory');
  for (const extra of directories.slice(1)) {
    diagnostics.push({
      code: 'duplicate-directory', severity: 'error', file: extra.file.path, range: extra.map.range('/kind'),
      message: `only one Directory is allowed; the first is ${directories[0].file.path}`,
    });
  }
  const project: Project = {
    files: new Map(files.map((f) => [f.path, f])),
    docs,
    byName: (kind, name) => index.get(`${kind}/${name}`),
    ofKind: (kind) => docs.filter((d) => d.kind === kind),
    directory: directories[0],
  };
  return { project, diagnostics };
}
