import type { ErrorObject } from 'ajv';
import type { LoadedDoc } from '../load/loaded-doc.js';
import { joinPointer } from '../load/source-map.js';
import { schemaDiagnostics } from '../validate/schema-diagnostics.js';
import { validatorFor } from '../validate/ajv.js';
import type { Rule, RuleContext } from './rule.js';
import { stepBodies } from './step-action.js';
import { isWait } from '../../common/actions-catalog/index.js';

/**
 * `invalid-with`: each `uses:` body's `with` must match its action's JSON Schema, and so must the
 * `with` of the action a `wait` polls (`with.check`). A `run:` body is `shell` with
 * `{ script: run }`, which the step schema already guarantees, so it is skipped.
 */
export const withSchemaRule: Rule = {
  id: 'with-schema',
  codes: ['invalid-with', 'invalid-duration'],
  docs: "A step's (or rollback's) `with` is validated against the action's schema in `schemas/actions/`.",
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const { body, pointer } of stepBodies(unit)) {
        // Both uses and run is step-action's finding; validating either half would only add noise.
        if (body.uses === undefined || body.run !== undefined) continue;
        validateWith(ctx, unit.doc, body.uses, body.with, pointer);
        const check = isWait(body.uses)
          ? (body.with?.check as { uses?: unknown; with?: Record<string, unknown> } | undefined)
          : undefined;
        if (typeof check?.uses === 'string')
          validateWith(ctx, unit.doc, check.uses, check.with, joinPointer(pointer, 'with', 'check'));
      }
    }
  },
};

/** Validates `value` (the `with` under `owner`) against the schema of `action`, if it is known. */
function validateWith(
  ctx: RuleContext,
  doc: LoadedDoc,
  action: string,
  value: Record<string, unknown> | undefined,
  owner: string,
): void {
  const info = ctx.catalog.get(action);
  // Unknown actions are unknown-action's finding.
  if (!info) return;
  const validate = validatorFor(schemaPath(info.schema.$id, action));
  if (validate(value ?? {})) return;
  const base = joinPointer(owner, 'with');
  for (const d of schemaDiagnostics(withoutBranchErrors(validate.errors ?? []), doc, base, 'invalid-with')) {
    if (value !== undefined) {
      ctx.report(doc, base, d.code, d.message, { range: d.range, ...(d.hint ? { hint: d.hint } : {}) });
      continue;
    }
    // Without a `with` there is nothing to point into: the action name is where it belongs.
    ctx.report(
      doc,
      joinPointer(owner, 'uses'),
      d.code,
      `no with given for ${action}: ${d.message.replace(/^.*?: /, '')}`,
      d.hint ? { hint: d.hint } : {},
    );
  }
}

/**
 * Action schemas say "a duration or a template" with an anyOf of `$ref`s, whose branch errors
 * carry the referenced schema's path, so schemaDiagnostics cannot tell they belong to the anyOf.
 * The anyOf error alone says it: drop every other error at or under its value.
 */
function withoutBranchErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const compound = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath);
  return errors.filter(
    (e) =>
      e.keyword === 'anyOf' ||
      e.keyword === 'oneOf' ||
      !compound.some((p) => e.instancePath === p || e.instancePath.startsWith(p + '/')),
  );
}

/** The catalogue keys actions by `x-action`, the registry by `$id`: go through the `$id`. */
function schemaPath(id: unknown, action: string): string {
  const marker = '/schemas/';
  if (typeof id === 'string' && id.includes(marker)) return id.slice(id.lastIndexOf(marker) + marker.length);
  return `actions/${action}.schema.json`;
}
