import type { Emitter } from './emitter.js';
import { generatedNotice } from './emitter.js';

/** `generated/graphs/<name>.json`: the IR, pretty-printed, byte-identical across runs. */
export const graphJsonEmitter: Emitter = {
  id: 'graphs',
  docs: 'The step graph (IR) of every runbook and lowered BackupPlan.',
  emit(result) {
    return result.graphs.map((graph) => {
      const path = `generated/graphs/${graph.name}.json`;
      // An incremental compile (compiler/cache/) hands back the file of an unchanged graph: printing
      // a thousand graphs again was a good part of its time.
      const reused = result.memo?.reuseFile('graphs', graph, path);
      if (reused) return reused;
      const content =
        JSON.stringify({ $comment: `${generatedNotice} (source: ${graph.origin.file})`, ...graph }, null, 2) + '\n';
      result.memo?.record('graphs', graph, path, content);
      return { path, content };
    });
  },
  folders: ['generated/graphs'],
  owns: (path) => /^generated\/graphs\/[^/]+\.json$/.test(path),
};
