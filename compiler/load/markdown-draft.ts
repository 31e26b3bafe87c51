import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Range, SourceFile } from '../source/source-file.js';
import { joinPointer, type SourceMap } from './source-map.js';

type Op =
  | { readonly pointer: string; readonly range: Range; readonly key?: Range }
  | { readonly pointer: string; readonly map: SourceMap }
  | { readonly pointer: string; readonly draft: MapDraft };

/**
 * Source-map entries recorded relative to a value whose final pointer is not known yet (a step's
 * index depends on the steps before it). Entries are replayed in call order, so a later entry — a
 * ```` ```yaml step ```` block mounted after the heading's attributes — wins, exactly like its data.
 */
export class MapDraft {
  private readonly ops: Op[] = [];

  set(pointer: string, range: Range, key?: Range): void {
    this.ops.push(key ? { pointer, range, key } : { pointer, range });
  }

  mount(pointer: string, map: SourceMap): void {
    this.ops.push({ pointer, map });
  }

  include(pointer: string, draft: MapDraft): void {
    this.ops.push({ pointer, draft });
  }

  writeTo(map: SourceMap, prefix: string): void {
    for (const op of this.ops) {
      if ('range' in op) map.set(prefix + op.pointer, op.range, op.key);
      else if ('map' in op) map.mount(prefix + op.pointer, op.map);
      else op.draft.writeTo(map, prefix + op.pointer);
    }
  }
}

/** A value built from the Markdown, with its source map and the range of the whole section. */
export interface Draft {
  readonly data: Record<string, unknown>;
  readonly map: MapDraft;
  readonly range: Range;
}

/** What the Markdown loaders share while walking one file. */
export interface LoadContext {
  readonly file: SourceFile;
  readonly diagnostics: Diagnostic[];
  /** Step ids taken so far, so derived ids (slugs, `approve`) can stay unique. */
  readonly stepIds: Set<string>;
  readonly phaseIds: Set<string>;
}

export function structureError(ctx: LoadContext, range: Range, message: string, hint?: string): void {
  ctx.diagnostics.push({
    code: 'markdown-structure',
    severity: 'error',
    file: ctx.file.path,
    range,
    message,
    ...(hint ? { hint } : {}),
  });
}

/** Appends `-2`, `-3`… to a derived id until it is unused, then records it. */
export function uniqueId(taken: Set<string>, base: string): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/** Sets `data[key]` and its map entry in one go (the map must never miss a created value). */
export function put(draft: Draft, key: string, value: unknown, range: Range, keyRange?: Range): void {
  define(draft.data, key, value);
  draft.map.set(joinPointer('', key), range, keyRange);
}

/** Assignment that cannot reach a prototype, whatever the key (`__proto__` from YAML included). */
export function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Puts `id`, `title` and `description` first, so generated JSON reads like the source. */
export function ordered(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['id', 'title', 'description']) if (Object.hasOwn(data, key)) define(out, key, data[key]);
  for (const [key, value] of Object.entries(data)) if (!Object.hasOwn(out, key)) define(out, key, value);
  return out;
}
