import { isShell } from '../../common/actions-catalog/index.js';
import { documentedResultFields } from '../actions/catalog-meta.js';

/**
 * Outputs not known yet (plans, dry runs): any key reads as `<label.key>`. A Proxy, because a
 * shell step's outputs are whatever its script writes to $RUNBOOK_OUTPUT; Handlebars reads own
 * properties only, hence the descriptor trap.
 */
export function placeholderOutputs(label: string, declared: readonly string[]): Record<string, unknown> {
  const base: Record<string, unknown> = Object.fromEntries(declared.map((k) => [k, `<${label}.${k}>`]));
  return new Proxy(base, {
    get: (t, k) => (typeof k === 'string' ? (t[k] ?? `<${label}.${k}>`) : undefined),
    getOwnPropertyDescriptor: (t, k) =>
      typeof k === 'string'
        ? { value: t[k] ?? `<${label}.${k}>`, writable: false, enumerable: Object.hasOwn(t, k), configurable: true }
        : undefined,
  });
}

/** Steps whose outputs are open-ended: shell commands (`x-shell`: any $RUNBOOK_OUTPUT key). */
export function hasOpenOutputs(uses: string): boolean {
  return isShell(uses);
}

/**
 * A step's outputs before it has run: `<label.name>` for each name it will have, i.e. its
 * action's result fields and its declared `outputs:` (any name at all for `shell`).
 */
export function pendingOutputs(label: string, uses: string, declared: readonly string[]): Record<string, unknown> {
  if (hasOpenOutputs(uses)) return placeholderOutputs(label, declared);
  const names = new Set([...documentedResultFields(uses), ...declared]);
  return Object.fromEntries([...names].map((k) => [k, `<${label}.${k}>`]));
}

/**
 * A finished step's outputs: its action's documented result fields (a shell step's, the pairs
 * its script wrote to $RUNBOOK_OUTPUT), under the `declared` outputs, which win on a name clash
 * so that `outputs:` can still rename or derive.
 */
export function stepOutputs(uses: string, result: unknown, declared: Record<string, unknown>): Record<string, unknown> {
  const fields =
    result !== null && typeof result === 'object' && !Array.isArray(result) ? (result as Record<string, unknown>) : {};
  const base: Record<string, unknown> = {};
  if (hasOpenOutputs(uses)) Object.assign(base, fields.outputs ?? {});
  else
    for (const k of documentedResultFields(uses))
      if (Object.hasOwn(fields, k) && fields[k] !== undefined) base[k] = fields[k];
  return { ...base, ...declared };
}
