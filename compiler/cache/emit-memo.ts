import type { IrGraph } from '../../ir/types.js';

/**
 * What an emitter may ask an incremental compile (compiler/cache/) about the files of one graph.
 * An emitter that builds one file per graph asks `reuse` first and builds the file only when it
 * gets nothing back; it then calls `record`, so the next compile can reuse it. A compile without
 * a cache has no memo, and emitters build every file.
 */
export interface EmitMemo {
  /** The content emitted last time at `path` for `graph`, when nothing it depends on has changed. */
  reuse(emitter: string, graph: IrGraph, path: string): string | undefined;
  /** Remembers the content emitted at `path` for `graph`. */
  record(emitter: string, graph: IrGraph, path: string, content: string): void;
}
