import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { schemaRegistry } from '../../compiler/validate/ajv.js';

/**
 * The parameter positions of the action catalogue, read from schemas/actions/*.json: where a
 * string (an input) can go at any depth, and a valid `with` of harmless values to put it in.
 * Used by params-property.test.ts, so a new action's schema is covered without a list to update.
 */

/** Where the benign values of URL parameters point. */
export interface Targets {
  readonly httpUrl: string;
  readonly postgresUrl: string;
}

const schemasDir = join(import.meta.dirname, '..', '..', 'schemas');
const common = JSON.parse(readFileSync(join(schemasDir, 'common.schema.json'), 'utf8')) as {
  $defs: Record<string, Schema>;
};
type Schema = Record<string, unknown> & {
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
};
export type Path = (string | number)[];
export interface Catalogued {
  id: string;
  schema: Schema;
}

/** Every action of the catalogue with its `with` schema, in file order. */
export function catalogue(): Catalogued[] {
  return readdirSync(join(schemasDir, 'actions'))
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((f) => {
      const schema = JSON.parse(readFileSync(join(schemasDir, 'actions', f), 'utf8')) as Schema;
      return { id: schema['x-action'] as string, schema };
    });
}

function resolve(s: Schema): Schema {
  const ref = s.$ref && /#\/\$defs\/(.+)$/.exec(s.$ref)?.[1];
  return ref ? resolve({ ...common.$defs[ref], ...s, $ref: undefined }) : s;
}
const branches = (s: Schema): Schema[] => [s, ...(s.anyOf ?? []), ...(s.oneOf ?? [])].map(resolve);

/** Every place a string could go, by the schema's shape; which ones accept a template is ajv's call. */
function candidatePaths(s: Schema, at: Path, depth = 0): Path[] {
  if (depth > 4) return [];
  const out: Path[] = [at];
  for (const b of branches(s)) {
    for (const [k, p] of Object.entries(b.properties ?? {}))
      out.push(...candidatePaths(resolve(p), [...at, k], depth + 1));
    if (b.type === 'object' && b.additionalProperties !== false) out.push([...at, 'k']);
    if (b.type === 'array') out.push(...candidatePaths(resolve(b.items ?? {}), [...at, 0], depth + 1));
  }
  return out;
}

/** A valid value for a schema, made of harmless strings; URLs point at the capture server. */
function benign(s: Schema, key: string, action: string, o: Targets): unknown {
  const r = resolve(s);
  if (r.const !== undefined) return r.const;
  if (Array.isArray(r.enum)) return r.enum[0];
  if (r.default !== undefined && typeof r.default !== 'object') return r.default;
  const first = branches(r).find((b) => b.type !== undefined || b.enum !== undefined || b.pattern !== undefined) ?? r;
  if (first !== r) return benign(first, key, action, o);
  if (r.type === 'integer' || r.type === 'number') return (r.minimum as number | undefined) ?? 1;
  if (r.type === 'boolean') return false;
  if (r.type === 'array') return [benign(r.items ?? { type: 'string' }, key, action, o)];
  if (r.type === 'object')
    return Object.fromEntries((r.required ?? []).map((k) => [k, benign(r.properties?.[k] ?? {}, k, action, o)]));
  if (/url$/i.test(key)) {
    if (!action.startsWith('postgres.')) return o.httpUrl;
    return o.postgresUrl;
  }
  if (key === 'sql') return 'select 1';
  const byFormat: Record<string, string> = { duration: '1s', 'date-time': '2026-01-01T00:00:00Z', uri: o.httpUrl };
  if (typeof r.format === 'string' && byFormat[r.format]) return byFormat[r.format];
  const pattern = typeof r.pattern === 'string' ? new RegExp(r.pattern, 'u') : undefined;
  return (
    ['benign', 'us-east-1', '30s', 'Z0123456789', '2026-01-01T00:00:00Z', '@ops', 'x'].find(
      (c) => !pattern || pattern.test(c),
    ) ?? 'benign'
  );
}

/** A copy of `base` with `value` at `path` (containers created on the way). */
export function place(base: Record<string, unknown>, path: Path, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let at: Record<string | number, unknown> = copy;
  path.forEach((k, i) => {
    if (i === path.length - 1) at[k] = value;
    else {
      if (!at[k] || typeof at[k] !== 'object') at[k] = typeof path[i + 1] === 'number' ? [] : {};
      at = at[k] as Record<string | number, unknown>;
    }
  });
  return copy;
}

/** Whether the runbook schema has `spec.finally` (RUNBOOK_FORMAT.md): its steps get placements too. */
export const finallySupported = /"finally"\s*:/.test(readFileSync(join(schemasDir, 'runbook.schema.json'), 'utf8'));
const key = (p: Path) => p.join('.');

/** The positions of an action that accept an input: its `with` with the input at one of them validates. */
export function positions(a: Catalogued, value: string, o: Targets): { base: Record<string, unknown>; paths: Path[] } {
  const ajv = schemaRegistry();
  const validate = ajv.getSchema(a.schema.$id as string)!;
  const base = benign(a.schema, '', a.id, o) as Record<string, unknown>;
  // Conditional requirements (if/then) show up as errors: fill what they ask for.
  for (let i = 0; i < 5 && !validate(base); i++) {
    for (const e of validate.errors ?? []) {
      const missing = (e.params as { missingProperty?: string }).missingProperty;
      if (e.keyword === 'required' && e.instancePath === '' && missing)
        base[missing] = benign(a.schema.properties?.[missing] ?? {}, missing, a.id, o);
    }
  }
  expect(validate(base), `no valid benign \`with\` for ${a.id}: ${JSON.stringify(validate.errors)}`).toBe(true);
  const seen = new Set<string>();
  const paths = candidatePaths(a.schema, [])
    .filter((p) => p.length > 0)
    .filter((p) => {
      if (seen.has(key(p))) return false;
      seen.add(key(p));
      return validate(place(base, p, value)) === true;
    });
  return { base, paths };
}
