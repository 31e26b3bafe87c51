import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the compiler knows of an action: its `with` schema and metadata (`x-…` keywords). */
export interface ActionInfo {
  readonly id: string;
  readonly schema: Record<string, unknown>;
  readonly idempotent: boolean;
  readonly sideEffects: boolean;
  readonly description: string;
  readonly result?: Record<string, unknown>;
}

/** The repository root, found from this module's location (works from sources and from dist/). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return start;
      dir = parent;
    }
  }
}

export const schemasDir = join(packageRoot, 'schemas');

let cached: Map<string, ActionInfo> | undefined;

/** The action catalogue: one JSON Schema per action in `schemas/actions/`, keyed by action id. */
export function actionCatalog(): Map<string, ActionInfo> {
  if (cached) return cached;
  const catalog = new Map<string, ActionInfo>();
  const dir = join(schemasDir, 'actions');
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.schema.json')) continue;
    const schema = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
    const id = String(schema['x-action'] ?? name.replace(/\.schema\.json$/, ''));
    catalog.set(id, {
      id,
      schema,
      idempotent: schema['x-idempotent'] === true,
      sideEffects: schema['x-side-effects'] !== false,
      description: String(schema['x-description'] ?? ''),
      result: schema['x-result'] as Record<string, unknown> | undefined,
    });
  }
  cached = catalog;
  return catalog;
}
