import type { ActionDefinition } from '../actions/action.js';
import { ActionError } from '../core/errors.js';
import { resolveRegion } from './clients.js';

/**
 * Params arrive rendered: a `{{template}}` in a boolean or integer slot may arrive as the string
 * `"true"` or `"60"`. These readers accept both, and refuse anything else with a clear,
 * non-retryable error rather than sending AWS a surprise.
 */
export function bool(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw badParam(name, value, 'a boolean');
}

/** See {@link bool}; undefined when absent. */
export function optBool(value: unknown, name: string): boolean | undefined {
  return value === undefined || value === null || value === '' ? undefined : bool(value, name, false);
}

/** An integer param (or its rendered string); undefined when absent. */
export function int(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n)) throw badParam(name, value, 'an integer');
  return n;
}

/** A required string param. */
export function str(value: unknown, name: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  throw badParam(name, value, 'a non-empty string');
}

/** `{ key: value }` → the `[{ Key, Value }]` list both RDS and Route 53 take. */
export function tagList(tags: Record<string, string> | undefined): { Key: string; Value: string }[] | undefined {
  if (!tags || Object.keys(tags).length === 0) return undefined;
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) }));
}

/** The plan's target for a service in a region, e.g. `aws:rds:us-west-2`. */
export function planTarget(service: 'rds' | 'route53', region: string | undefined): string {
  if (service === 'route53') return 'aws:route53';
  return `aws:rds:${resolveRegion(region) ?? 'default-region'}`;
}

/** Drops undefined fields so plans and inputs show only what is sent. */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function badParam(name: string, value: unknown, expected: string): ActionError {
  return new ActionError(`\`${name}\` must be ${expected}, got ${JSON.stringify(value)}`, {
    code: 'bad-params',
  });
}

/**
 * Wraps a definition so its plan passes through the run's secret masker: AWS params rarely hold
 * secrets, but a templated tag or comment could, and plans are printed and commented on PRs.
 */
export function maskedPlan<P, R>(definition: ActionDefinition<P, R>): ActionDefinition<P, R> {
  return {
    ...definition,
    plan(params, ctx) {
      const plan = definition.plan(params, ctx);
      return { summary: ctx.secrets.mask(plan.summary), calls: ctx.secrets.maskDeep(plan.calls) };
    },
  };
}
