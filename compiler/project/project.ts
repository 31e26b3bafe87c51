import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { docName, type Kind, type LoadedDoc } from '../load/loaded-doc.js';
import { formatOf, loadFile, type FileLoadResult } from '../load/load-file.js';
import { decodeLoadResult, type EncodedLoadResult } from '../load/load-transfer.js';
import { startParallel } from '../parallel/pool.js';
import { shareList } from '../parallel/share.js';
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
  for (const result of loadFiles(files)) {
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
        code: 'duplicate-name',
        severity: 'error',
        file: doc.file.path,
        range: doc.map.range('/metadata/name'),
        message: `${doc.kind} "${name}" is already defined in ${first.file.path}`,
      });
    } else index.set(key, doc);
  }
  const directories = docs.filter((d) => d.kind === 'Directory');
  for (const extra of directories.slice(1)) {
    diagnostics.push({
      code: 'duplicate-directory',
      severity: 'error',
      file: extra.file.path,
      range: extra.map.range('/kind'),
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

/** Below this many YAML files, loading on worker threads does not pay for itself. */
const minParallelFiles = 64;

/**
 * `loadFile` of every file, in order. YAML files (nearly all of a large tree) are parsed on worker
 * threads when there are many (compiler/parallel): the same code on the same text, so the same
 * result. A file whose worker result has any diagnostic is loaded again here, so that findings
 * that could depend on the thread (a parser running out of stack on absurd nesting) are always
 * this thread's. Markdown and Handlebars files are loaded here meanwhile.
 */
function loadFiles(files: readonly SourceFile[]): FileLoadResult[] {
  const yaml = files.flatMap((file, i) => (formatOf(file.path) === 'yaml' ? [i] : []));
  const parallel = startParallel<FileLoadResult>('load-files', yaml.length, {
    minItems: minParallelFiles,
    payload: () => shareList(yaml.map((i) => ({ path: files[i].path, text: files[i].text }))),
    decode: (value, k) => {
      const encoded = value as EncodedLoadResult;
      return encoded.diagnostics.length ? undefined : decodeLoadResult(files[yaml[k]], encoded);
    },
  });
  const results: FileLoadResult[] = new Array(files.length);
  const isYaml = new Set(yaml);
  files.forEach((file, i) => {
    if (!isYaml.has(i)) results[i] = loadFile(file);
  });
  parallel.finish((k) => loadFile(files[yaml[k]])).forEach((result, k) => (results[yaml[k]] = result));
  return results;
}
