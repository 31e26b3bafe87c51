import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { kindSchemas } from '../../compiler/validate/validate-docs.js';
import { durationFormat, schemaBase, schemaRegistry, schemasHash } from '../../compiler/validate/ajv.js';

// `npm run build` compiles the schemas to standalone code (scripts/build-validators.js) so the CLI
// does not compile them with ajv at each start (issue 12, item 6). Its validators must answer
// exactly as ajv's own, errors included (the diagnostics read keyword, params, schema, parentSchema
// and data): checked here on every document of every diagnostics fixture and of the library.
const repo = join(import.meta.dirname, '..', '..');
const built = join(repo, 'dist', 'compiler', 'validate', 'validators.cjs');
const require = createRequire(import.meta.url);

function trees(): string[] {
  const root = join(repo, 'test', 'fixtures', 'diagnostics');
  const cases = readdirSync(root)
    .filter((c) => !c.startsWith('.'))
    .flatMap((code) => readdirSync(join(root, code)).map((c) => join(root, code, c)));
  return [repo, ...cases.filter((dir) => existsSync(join(dir, 'expect.json')))];
}

/** Every `{ uses, with }` object in a document: a step and the params its action's schema checks. */
function steps(node: unknown, out: { uses: string; with: unknown }[] = []) {
  if (Array.isArray(node)) node.forEach((n) => steps(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.uses === 'string' && 'with' in o) out.push({ uses: o.uses, with: o.with });
    Object.values(o).forEach((v) => steps(v, out));
  }
  return out;
}

const outcome = (v: ValidateFunction, data: unknown) => ({ valid: v(data), errors: v.errors ?? null });

describe.skipIf(!existsSync(built))('precompiled schema validators', { timeout: 120_000 }, () => {
  const standalone = require(built) as { schemasHash: string; create(f: object): Record<string, ValidateFunction> };
  const { fullFormats } = require('ajv-formats/dist/formats') as { fullFormats: object };
  const precompiled = standalone.create({ ...fullFormats, duration: durationFormat });
  const ajv = schemaRegistry();

  it('were built from the schemas on disk', () => {
    expect(standalone.schemasHash).toBe(schemasHash());
  });

  it('answer as ajv does on every fixture and library document, errors included', () => {
    let compared = 0;
    for (const dir of trees()) {
      for (const doc of compileTree(dir).project.docs) {
        const id = schemaBase + kindSchemas[doc.kind];
        expect(outcome(precompiled[id], doc.data), `${dir} ${doc.file.path}`).toEqual(
          outcome(ajv.getSchema(id)!, doc.data),
        );
        compared++;
        for (const step of steps(doc.data)) {
          const actionId = `${schemaBase}actions/${step.uses}.schema.json`;
          if (!precompiled[actionId]) continue; // an unknown action: its own diagnostic, no schema
          expect(outcome(precompiled[actionId], step.with), `${dir} ${doc.file.path} ${step.uses}`).toEqual(
            outcome(ajv.getSchema(actionId)!, step.with),
          );
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
