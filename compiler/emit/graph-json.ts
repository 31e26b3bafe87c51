import type { Emitter } from './emitter.js';
import { generatedNotice } from './emitter.js';

/** `generated/graphs/<name>.json`: the IR, pretty-printed, byte-identical across runs. */
export const graphJsonEmitter: Emitter = {
  id: 'graphs',
  docs: 'The step graph (IR) of every runbook and lowered BackupPlan.',
  emit(result) {
    return result.graphs.map((graph) => ({
      path: `generated/graphs/${graph.name}.json`,
      content:
        JSON.stringify({ $comment: `${generatedNotice} (source: ${graph.origin.file})`, ...graph }, null, 2) + '\n',
    }));
  },
  folders: ['generated/graphs'],
  owns: (path) => /^generated\/graphs\/[^/]+\.json$/.test(path),
};
