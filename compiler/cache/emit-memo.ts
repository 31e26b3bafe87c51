import { createHash } from 'node:crypto';
import type { IrGraph } from '../../ir/types.js';

/**
 * What an emitter may ask an incremental compile (compiler/cache/) about the files of one graph.
 * An emitter that builds one file per graph asks `reuse` first and builds the file only when it
 * gets nothing back; it then calls `record`, so the next compile can reuse it. A compile without
 * a cache has no memo, and emitters build every file.
 *
 * Per-graph files are keyed by their source file: `reuse` answers only for a file that was not
 * compiled again, and the planner (plan.ts) compiles again every file whose output may read
 * another changed file (callers, files named by a shared file or drills/), while any change to a
 * shared file (Directory, Templates, …) or to drills/ makes the compile a full one. So a page that
 * reads the Directory or a drill record is rebuilt when they change. A NEW input of a per-graph
 * page that lives in another runbook file must be added to the planner (plan.ts: `tokens` names
 * the runbooks a file refers to); an input outside the tree must join `extraHash` (plan.ts).
 *
 * Files built from the whole tree (one file for every graph: the resume workflow, Home, the
 * sidebar) use `reuseWhole`/`recordWhole` through `renderWithMemo`, keyed by a hash of their
 * whole render input rather than by files, so they need no list of what they depend on. Worth it
 * only where rendering costs more than walking its input (a YAML Document of 1,000 jobs does; a
 * Markdown page's serialisation does not: keying its tree costs more than serialising it).
 */
export interface EmitMemo {
  /** The content emitted last time at `path` for `graph`, when nothing it depends on has changed. */
  reuse(emitter: string, graph: IrGraph, path: string): string | undefined;
  /**
   * The same as a file, with its UTF-8 bytes when at hand (`GeneratedFile.utf8`) and its text
   * decoded only if read: return it as it is rather than copying `content` out of it.
   */
  reuseFile(emitter: string, graph: IrGraph, path: string): ReusedFile | undefined;
  /** Remembers the content emitted at `path` for `graph`. */
  record(emitter: string, graph: IrGraph, path: string, content: string): void;
  /** The content rendered last time at `path`, when it was rendered from an input with this `key`. */
  reuseWhole(emitter: string, path: string, key: string): string | undefined;
  /** Remembers the content rendered at `path` from the input with this `key`. */
  recordWhole(emitter: string, path: string, key: string, content: string): void;
}

/** A `GeneratedFile` (emit/emitter.ts; not imported, which would make a cycle through compile.ts). */
export interface ReusedFile {
  readonly path: string;
  readonly content: string;
  readonly utf8?: Uint8Array;
}

/**
 * `render()`, or the text it gave last time for the same `input`. `input` must be EVERYTHING the
 * render reads (the render is a pure function of it and of the tool's code, which the cache's
 * tool fingerprint covers): to give the render a new input, put it into `input`, never read it
 * from elsewhere. The key is a hash of `input` (`keyText`): key order counts (it is output order),
 * and class instances (yaml `Scalar`s, which carry their quoting style) count with their class
 * and own fields.
 */
export function renderWithMemo(
  memo: EmitMemo | undefined,
  emitter: string,
  path: string,
  input: unknown,
  render: () => string,
): string {
  if (!memo) return render();
  const key = inputKey(input);
  const reused = memo.reuseWhole(emitter, path, key);
  if (reused !== undefined) return reused;
  const content = render();
  memo.recordWhole(emitter, path, key, content);
  return content;
}

/** SHA-256 of the input's text (`keyText`). */
export function inputKey(input: unknown): string {
  return createHash('sha256').update(keyText(input)).digest('hex');
}

/**
 * The input as text that tells apart every two inputs a render could tell apart: JSON-like, in
 * the objects' own key order, with `undefined`, `NaN`, `-0` and class instances (their class and
 * own fields) spelled out. A hand-written walk rather than `JSON.stringify` with a replacer, which
 * is several times slower on a workflow of a thousand jobs (a replacer call per value).
 */
export function keyText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'object':
      return value === null ? 'null' : objectText(value);
    default:
      throw new Error(`renderWithMemo: a ${typeof value} in the input cannot be keyed`);
  }
}

function objectText(value: object): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + keyText(value[i]);
    return out + ']';
  }
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  if (value instanceof Map || value instanceof Set) throw new Error('renderWithMemo: a Map or Set cannot be keyed');
  const proto = Object.getPrototypeOf(value) as object | null;
  let out = proto === Object.prototype || proto === null ? '{' : `${(value as object).constructor.name}{`;
  let first = true;
  for (const key of Object.keys(value)) {
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + keyText((value as Record<string, unknown>)[key]);
    first = false;
  }
  return out + '}';
}
