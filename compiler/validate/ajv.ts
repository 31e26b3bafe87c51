import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv2020, Options } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { parseDuration } from '../../ir/duration.js';
import { addActionKeywords, schemasDir } from '../../common/actions-catalog/index.js';

// ajv and ajv-formats are CommonJS, loaded on first use: a build's precompiled validators need
// neither (ajv alone is ~90 modules to load).
const require = createRequire(import.meta.url);

export const schemaBase = 'https://runbook-as-code.example/schemas/';

/** The formats the schemas use beyond ajv-formats': durations as the IR reads them. */
export const durationFormat = { type: 'string', validate: (s: string) => parseDuration(s) !== undefined } as const;

let instance: Ajv2020 | undefined;

/**
 * One ajv instance with every schema under `schemas/` registered by `$id`, so cross-file
 * `$ref`s resolve. The `x-…` keywords of the action catalogue are registered with their
 * meta-schemas (common/actions-catalog/keywords.ts), so strict mode rejects any other. `code`
 * options are for the build, which turns the validators into standalone code
 * (scripts/build-validators.js).
 */
export function schemaRegistry(code?: Options['code']): Ajv2020 {
  if (code) return newSchemaRegistry(schemasDir, code);
  instance ??= newSchemaRegistry(schemasDir);
  return instance;
}

/** A fresh registry of every schema under `dir` (tests point it at a modified copy of `schemas/`). */
export function newSchemaRegistry(dir: string, code?: Options['code']): Ajv2020 {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormats = require('ajv-formats') as (ajv: Ajv2020) => Ajv2020;
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    verbose: true,
    ...(code ? { code } : {}),
  });
  addFormats(ajv);
  ajv.addFormat('duration', durationFormat);
  addActionKeywords(ajv);
  for (const file of listSchemas(dir)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
  return ajv;
}

/** Validator for `schemas/<relative>` (e.g. `runbook.schema.json`, `actions/shell.schema.json`). */
export function validatorFor(relative: string): ValidateFunction {
  const v = precompiled()?.[schemaBase + relative] ?? schemaRegistry().getSchema(schemaBase + relative);
  if (!v) throw new Error(`schema ${relative} is not registered`);
  return v;
}

/** Every schema file, in a stable order. */
export function schemaFiles(): string[] {
  return listSchemas(schemasDir);
}

/** Identifies the schemas' contents: precompiled validators of other schemas are never used. */
export function schemasHash(): string {
  const hash = createHash('sha256');
  for (const file of schemaFiles()) hash.update(file.slice(schemasDir.length)).update('\0').update(readFileSync(file));
  return hash.digest('hex');
}

type Precompiled = Record<string, ValidateFunction>;
let loaded: Precompiled | null | undefined;

/**
 * The validators `npm run build` compiled to standalone code (dist/compiler/validate/validators.cjs):
 * compiling the schemas with ajv at start-up cost most of a `runbook validate` of a small tree.
 * Used only when built from the very schemas on disk; otherwise (sources run by tests, a schema
 * edited since the build) ajv compiles them here, with the same options, so the same results.
 */
function precompiled(): Precompiled | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  loaded = null;
  try {
    const built = require('./validators.cjs') as {
      schemasHash: string;
      create(formats: Record<string, unknown>): Precompiled;
    };
    if (built.schemasHash === schemasHash()) loaded = built.create(standaloneFormats());
  } catch {
    // Not built (sources run directly): compile at run time.
  }
  return loaded ?? undefined;
}

/** What the precompiled validators' `formats` stand for: ajv-formats' full set, and durations. */
function standaloneFormats(): Record<string, unknown> {
  const { fullFormats } = require('ajv-formats/dist/formats') as { fullFormats: Record<string, unknown> };
  return { ...fullFormats, duration: durationFormat };
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
