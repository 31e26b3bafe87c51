import { joinPointer } from '../load/source-map.js';
import { schemaDiagnostics } from '../validate/schema-diagnostics.js';
import { validatorFor } from '../validate/ajv.js';
import type { Rule } from './rule.js';
import { stepBodies } from './step-action.js';

/**
 * `invalid-with`: each `uses:` body's `with` must match its action's JSON Schema. A `run:` body
 * is `shell` with `{ script: run }`, which the step schema already guarantees, so it is skipped.
 */
export const withSchemaRule: Rule = {
  id: 'with-schema',
  codes: ['invalid-with', 'invalid-duration'],
  docs: "A step's (or rollback's) `with` is validated against the action's schema in `schemas/actions/`.",
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const { body, pointer } of stepBodies(unit)) {
        // Unknown actions are reported by unknown-action; both uses and run by step-action.
        if (body.uses === undefined || body.run !== undefined || !ctx.catalog.has(body.uses)) continue;
        const validate = validatorFor(schemaPath(ctx.catalog.get(body.uses)?.schema.$id, body.uses));
        const value = body.with ?? {};
        if (validate(value)) continue;
        const base = joinPointer(pointer, 'with');
        for (const d of schemaDiagnostics(validate.errors ?? [], unit.doc, base, 'invalid-with')) {
          // Without a `with` there is nothing to point into: the action name is what to fix next to.
          const at = body.with === undefined ? joinPointer(pointer, 'uses') : base;
          const range = body.with === undefined ? undefined : d.range;
          const message = body.with === undefined ? `no with given for ${body.uses}: ${d.message.replace(/^.*?: /, '')}` : d.message;
          ctx.report(unit.doc, at, d.code, message, { ...(range ? { range } : {}), ...(d.hint ? { hint: d.hint } : {}) });
        }
      }
    }
  },
};

/** The catalogue keys actions by `x-action`; the registry by `$id`, so go through the `$id`. */
function schemaPath(id: unknown, action: string): string {
  const marker = '/schemas/';
  if (typeof id === 'string' && id.includes(marker)) return id.slice(id.lastIndexOf(marker) + marker.length);
  return `actions/${action}.schema.json`;
}
