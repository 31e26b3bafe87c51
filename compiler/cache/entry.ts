import type { IrGraph } from '../../ir/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

/** Format of the cache files; bump when their shape changes. */
export const cacheFormat = 2;

/** What the cache knows of one file of the tree. */
export interface IndexedFile {
  readonly hash: string;
  /** A runbook file: only Runbook documents, so its output depends on itself and the shared files. */
  readonly unit: boolean;
  /** `metadata.name` of each of its documents (units only). */
  readonly names: readonly string[];
  /** The entry holding its compiled output (units only). */
  readonly entry?: string;
}

/** `index.json`: which compile the cache belongs to, and its files. */
export interface CacheIndex {
  readonly format: number;
  readonly tool: string;
  /** The paths and options the compile was given. */
  readonly options: string;
  /** Hash of the read errors and `drills/` files, which every runbook may depend on. */
  readonly extra: string;
  readonly files: Record<string, IndexedFile>;
}

/** One output file an emitter built for one graph. */
export interface EntryOutput {
  readonly emitter: string;
  readonly graph: string;
  readonly path: string;
  readonly content: string;
  /** The content's UTF-8 bytes, when read from the cache (entry-file.ts decodes `content` on first use). */
  readonly utf8?: Uint8Array;
}

/** `entries/<key>.json`: the compiled output of one runbook file. */
export interface CacheEntry {
  readonly key: string;
  readonly path: string;
  /** Each document's metadata, as the emitters that list every document read it. */
  readonly docs: { readonly kind: string; readonly metadata: unknown }[];
  readonly diagnostics: Diagnostic[];
  readonly graphs: IrGraph[];
  readonly outputs: EntryOutput[];
}
