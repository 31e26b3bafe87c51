import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actionKeywords, type ReferenceKind } from './keywords.js';
import { actionSchemasDir } from './package-root.js';

type Json = Record<string, unknown>;

/** Behaviour flags of an action, read from its schema's `x-…` keywords (defaults when absent). */
export interface ActionFlags {
  /** `x-idempotent` (default false). */
  readonly idempotent: boolean;
  /** `x-side-effects` (default true): false for read-only calls and gates. */
  readonly sideEffects: boolean;
  /** `x-gate`: an approval gate. */
  readonly gate: boolean;
  /** `x-wait`: polls `with.check` until `with.until`. */
  readonly wait: boolean;
  /** `x-shell`: runs `with.script`; free-form outputs. */
  readonly shell: boolean;
  /** `x-confirm`: asks a person to confirm through the confirmer. */
  readonly confirm: boolean;
}

/** One action of the catalogue: its `with` schema, result schema and flags. */
export interface ActionEntry extends ActionFlags {
  readonly id: string;
  /** The whole schema file (the `with` schema, with its `x-…` keywords). */
  readonly schema: Json;
  readonly description: string;
  /** `x-result`: the JSON Schema of the result. */
  readonly result?: Json;
  /** The properties of `x-result`: what `steps.X.outputs.<field>` may read. */
  readonly resultFields: readonly string[];
  /** `x-sql-params`. */
  readonly sqlParams: readonly string[];
  /** `x-references`: param → what it names. */
  readonly references: Readonly<Record<string, ReferenceKind>>;
}

let cached: ReadonlyMap<string, ActionEntry> | undefined;

/**
 * The action catalogue, keyed by action id: one JSON Schema per action in `schemas/actions/`,
 * read once per process. Throws on a top-level `x-…` keyword the catalogue does not know, so a
 * misspelt flag cannot silently read as its default.
 */
export function actionCatalog(): ReadonlyMap<string, ActionEntry> {
  if (cached) return cached;
  const catalog = new Map<string, ActionEntry>();
  for (const name of readdirSync(actionSchemasDir).sort()) {
    if (!name.endsWith('.schema.json')) continue;
    const schema = JSON.parse(readFileSync(join(actionSchemasDir, name), 'utf8')) as Json;
    const entry = actionEntryOf(schema, name.replace(/\.schema\.json$/, ''), name);
    catalog.set(entry.id, entry);
  }
  cached = catalog;
  return catalog;
}

/** The entry for one action schema; `fallbackId` when it has no `x-action`; `file` names it in errors. */
export function actionEntryOf(schema: Json, fallbackId: string, file = fallbackId): ActionEntry {
  const unknown = Object.keys(schema).filter((k) => k.startsWith('x-') && !Object.hasOwn(actionKeywords, k));
  if (unknown.length) throw new Error(`${file}: unknown catalogue keyword ${unknown.join(', ')}`);
  const result = schema['x-result'] as Json | undefined;
  return {
    id: String(schema['x-action'] ?? fallbackId),
    schema,
    description: String(schema['x-description'] ?? ''),
    result,
    resultFields: Object.keys((result?.properties as Json | undefined) ?? {}),
    idempotent: schema['x-idempotent'] === true,
    sideEffects: schema['x-side-effects'] !== false,
    gate: schema['x-gate'] === true,
    wait: schema['x-wait'] === true,
    shell: schema['x-shell'] === true,
    confirm: schema['x-confirm'] === true,
    sqlParams: (schema['x-sql-params'] as string[] | undefined) ?? [],
    references: (schema['x-references'] as Record<string, ReferenceKind> | undefined) ?? {},
  };
}
