import { createHash } from 'node:crypto';
import type { ActionDefinition } from '../actions/action.js';

/**
 * Longest identifier each API accepts. Names built from a run id
 * (`<target>-verify-<run id>`, `<target>-<run id>-<region>`, `<run id>-<step id>`) outgrow them
 * easily: a run id alone is about 40 characters.
 */
export const NAME_LIMITS = {
  /** RDS DBInstanceIdentifier: 1–63 letters, digits and hyphens. */
  rdsInstance: 63,
  /** RDS DBSnapshotIdentifier: 1–255. */
  rdsSnapshot: 255,
  /** Route 53 CallerReference: 1–64. */
  route53CallerReference: 64,
} as const;

const HASH_LENGTH = 8;

/**
 * `name` when it fits in `max` characters, else its head and a short hash of the whole name:
 * `ecommerce-prod-db-verify-20261122-141503-ecommerce-rds-daily-3f9a` (65) becomes
 * `ecommerce-prod-db-verify-20261122-141503-ecommerce-rds-d-1a2b3c4d` (63). Stable, so the step
 * that deletes an instance reaches the one an earlier step created from the same long name;
 * the hash keeps two long names with one head apart. The head loses trailing hyphens, since RDS
 * refuses `--` and a final hyphen.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_LENGTH);
  const head = name.slice(0, max - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/**
 * Wraps an action so the named `with:` fields are fitted to their API's limit (see
 * {@link fitName}) before `run` and `plan` see them: the plan shows the name that will be sent,
 * and every action given the same long name (restore, describe, wait, delete) uses the same
 * short one.
 */
export function withFittedNames<P extends object, R>(
  limits: NoInfer<Partial<Record<keyof P & string, number>>>,
  definition: ActionDefinition<P, R>,
): ActionDefinition<P, R> {
  const fit = (params: P): P => {
    const out: Record<string, unknown> = { ...(params as Record<string, unknown>) };
    for (const [field, max] of Object.entries(limits) as [string, number][]) {
      const v = out[field];
      if (typeof v === 'string') out[field] = fitName(v.trim(), max);
    }
    return out as P;
  };
  return {
    ...definition,
    run: (params, ctx) => {
      const fitted = fit(params);
      for (const field of Object.keys(limits)) {
        const before = (params as Record<string, unknown>)[field];
        const after = (fitted as Record<string, unknown>)[field];
        if (typeof before === 'string' && before.trim() !== after)
          ctx.log.info(`${field} ${before.trim()} is longer than AWS allows: using ${String(after)}`);
      }
      return definition.run(fitted, ctx);
    },
    plan: (params, ctx) => definition.plan(fit(params), ctx),
  };
}
