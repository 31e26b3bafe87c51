import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Actions whose catalogue entry (`x-side-effects: false` in schemas/actions) says they change
 * nothing: approval, checklist and read-only calls. Read from the schemas, the single source.
 */
export function sideEffectFreeActions(): ReadonlySet<string> {
  const dir = join(findRoot(dirname(fileURLToPath(import.meta.url))), 'schemas', 'actions');
  const out = new Set<string>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.schema.json')) continue;
    const s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
    if (s['x-side-effects'] === false) out.add(String(s['x-action']));
  }
  return out;
}

function findRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 8; i++) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  return start;
}

let resultFields: ReadonlyMap<string, readonly string[]> | undefined;

/**
 * Each action's documented result fields (the properties of its `x-result` schema): what a later
 * step reads as `steps.X.outputs.<field>`, and what the compiler's unknown-output rule accepts.
 */
export function documentedResultFields(uses: string): readonly string[] {
  if (!resultFields) {
    const dir = join(findRoot(dirname(fileURLToPath(import.meta.url))), 'schemas', 'actions');
    const out = new Map<string, readonly string[]>();
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.schema.json')) continue;
      const s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        'x-action'?: string;
        'x-result'?: { properties?: Record<string, unknown> };
      };
      if (s['x-action']) out.set(s['x-action'], Object.keys(s['x-result']?.properties ?? {}));
    }
    resultFields = out;
  }
  return resultFields.get(uses) ?? [];
}
