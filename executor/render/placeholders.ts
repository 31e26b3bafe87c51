/**
 * Outputs not known yet (plans, dry runs): any key reads as `<label.key>`. A Proxy, because a
 * shell step's outputs are whatever its script writes to $RUNBOOK_OUTPUT; Handlebars reads own
 * properties only, hence the descriptor trap.
 */
export function placeholderOutputs(label: string, declared: readonly string[]): Record<string, unknown> {
  const base: Record<string, unknown> = Object.fromEntries(declared.map((k) => [k, `<${label}.${k}>`]));
  return new Proxy(base, {
    get: (t, k) => (typeof k === 'string' ? t[k] ?? `<${label}.${k}>` : undefined),
    getOwnPropertyDescriptor: (t, k) =>
      typeof k === 'string' ? { value: t[k] ?? `<${label}.${k}>`, writable: false, enumerable: Object.hasOwn(t, k), configurable: true } : undefined,
  });
}

/** Steps whose outputs are open-ended: `shell` (any $RUNBOOK_OUTPUT key). */
export function hasOpenOutputs(uses: string): boolean {
  return uses === 'shell';
}
