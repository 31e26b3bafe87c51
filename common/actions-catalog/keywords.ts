import type { KeywordDefinition } from 'ajv';

/** Any ajv instance (Ajv, Ajv2020): only `addKeyword` is needed. */
export interface KeywordHost {
  addKeyword(definition: KeywordDefinition): unknown;
}

/**
 * The `x-…` keywords an action schema may carry, each with the meta-schema its value must match.
 * Registered with ajv (strict mode), so a misspelt keyword (`x-gaet`) is an "unknown keyword" and
 * a wrong value (`"x-gate": "yes"`) a meta-schema error: either fails schema compilation. A new
 * behaviour flag is added here, in `ActionEntry` (catalog.ts) and in the schemas that set it.
 */
export const actionKeywords = {
  /** The action's id, its `uses:` (the file name without `.schema.json`). */
  'x-action': { type: 'string', pattern: '^[a-z0-9]+(?:[.-][a-z0-9]+)*$' },
  'x-description': { type: 'string' },
  /** JSON Schema of the action's result, what `outputs` and `assert` read as `result.*`. */
  'x-result': { type: 'object' },
  /** Running it twice with the same params leaves the same state (safe to retry, resume). */
  'x-idempotent': { type: 'boolean' },
  /** false: it changes nothing (read-only calls, gates): dry runs and drills may run it for real. */
  'x-side-effects': { type: 'boolean' },
  /** An approval gate: the step waits for approvals (its `with.approvers` are people or teams). */
  'x-gate': { type: 'boolean' },
  /** A wait: polls the nested action call `with.check` until the condition `with.until` holds. */
  'x-wait': { type: 'boolean' },
  /** A shell command: `with.script` is a script, its outputs are whatever it writes (free-form). */
  'x-shell': { type: 'boolean' },
  /** Asks a person to confirm (manual steps, checklists): a terminal prompt or the answers file. */
  'x-confirm': { type: 'boolean' },
  /** Params holding SQL text, where `{{…}}` would be interpolated into a statement. */
  'x-sql-params': { type: 'array', items: { type: 'string' }, uniqueItems: true },
  /** Params naming another document or a Directory role: param → what it names. */
  'x-references': {
    type: 'object',
    additionalProperties: { enum: ['Template', 'Checklist', 'Runbook', 'Role'] },
  },
} as const satisfies Record<string, Record<string, unknown>>;

export type ActionKeyword = keyof typeof actionKeywords;

/** What an `x-references` value may name. */
export type ReferenceKind = 'Template' | 'Checklist' | 'Runbook' | 'Role';

const registered = new WeakSet<object>();

/**
 * Registers the catalogue keywords on `ajv` (once per instance). They annotate, they never
 * validate data: the meta-schema only checks the keyword's own value.
 */
export function addActionKeywords<A extends KeywordHost>(ajv: A): A {
  if (registered.has(ajv)) return ajv;
  registered.add(ajv);
  for (const [keyword, metaSchema] of Object.entries(actionKeywords)) {
    const def: KeywordDefinition = { keyword, metaSchema };
    ajv.addKeyword(def);
  }
  return ajv;
}
