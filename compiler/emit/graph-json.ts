import type { IrGraph } from '../../ir/types.js';
import type { Emitter } from './emitter.js';
import { decodeText, startParallel } from '../parallel/pool.js';
import { indicesIn, sharedListOf, type SharedList } from '../parallel/share.js';
import { generatedNotice } from './emitter.js';

/** `generated/graphs/<name>.json`: the IR, pretty-printed, byte-identical across runs. */
export const graphJsonEmitter: Emitter = {
  id: 'graphs',
  docs: 'The step graph (IR) of every runbook and lowered BackupPlan.',
  emit(result) {
    const path = (graph: IrGraph) => `generated/graphs/${graph.name}.json`;
    // An incremental compile (compiler/cache/) hands back the file of an unchanged graph: printing
    // a thousand graphs again was a good part of its time.
    const reused = result.graphs.map((g) => result.memo?.reuseFile('graphs', g, path(g)));
    const todo = result.graphs.filter((_, i) => reused[i] === undefined);
    // Many graphs: printed on worker threads (compiler/parallel) from the compile's shared graphs.
    const printed = startParallel<string>('graph-files', todo.length, {
      minItems: minParallelGraphs,
      payload: (): GraphFilesPayload => ({
        graphs: sharedListOf(result.graphs),
        indices: indicesIn(result.graphs, todo),
      }),
      decode: decodeText,
    }).finish((i) => graphFileContent(todo[i]));
    let next = 0;
    return result.graphs.map((graph, i) => {
      const file = reused[i];
      if (file) return file;
      const content = printed[next++];
      result.memo?.record('graphs', graph, path(graph), content);
      return { path: path(graph), content };
    });
  },
  folders: ['generated/graphs'],
  owns: (path) => /^generated\/graphs\/[^/]+\.json$/.test(path),
};

/** Below this many graphs, printing them on worker threads does not pay for itself. */
const minParallelGraphs = 48;

/** The text of `generated/graphs/<name>.json`: the graph, pretty-printed, after the generated notice. */
export function graphFileContent(graph: IrGraph): string {
  return JSON.stringify({ $comment: `${generatedNotice} (source: ${graph.origin.file})`, ...graph }, null, 2) + '\n';
}

/** The `graph-files` job: item `i` is the file of graph `indices[i]` of the shared list. */
export interface GraphFilesPayload {
  readonly graphs: SharedList;
  readonly indices: readonly number[];
}
