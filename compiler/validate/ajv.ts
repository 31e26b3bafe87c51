import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseDuration } from '../../ir/duration.js';
import { addActionKeywords, schemasDir } from '../../common/actions-catalog/index.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

const schemaBase = 'https://runbook-as-code.example/schemas/';

let instance: Ajv2020 | undefined;

/**
 * One ajv instance with every schema under `schemas/` registered by `$id`, so cross-file
 * `$ref`s resolve. The `x-…` keywords of the action catalogue are registered with their
 * meta-schemas (common/actions-catalog/keywords.ts), so strict mode rejects any other.
 */
export function schemaRegistry(): Ajv2020 {
  instance ??= newSchemaRegistry(schemasDir);
  return instance;
}

/** A fresh registry of every schema under `dir` (tests point it at a modified copy of `schemas/`). */
export function newSchemaRegistry(dir: string): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  ajv.addFormat('duration', { type: 'string', validate: (s: string) => parseDuration(s) !== undefined });
  addActionKeywords(ajv);
  for (const file of listSchemas(dir)) {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    ajv.addSchema(schema);
  }
  return ajv;
}

/** Validator for `schemas/<relative>` (e.g. `runbook.schema.json`, `actions/shell.schema.json`). */
export function validatorFor(relative: string): ValidateFunction {
  const v = schemaRegistry().getSchema(schemaBase + relative);
  if (!v) throw new Error(`schema ${relative} is not registered`);
  return v;
}

function listSchemas(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSchemas(full));
    else if (entry.name.endsWith('.schema.json')) out.push(full);
  }
  return out;
}
