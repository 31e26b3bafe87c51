import type { IrGraph } from '../../ir/types.js';
import { minMaskedLength } from './secrets.js';

/**
 * Names of the secrets of `graphs` whose value in `env` is set but shorter than the masker's
 * minimum: such a value is never masked (masking 3 characters would mask random text), so it may
 * show in logs and the audit. Values exist only at run time, so this is checked when a run or a
 * plan starts. Only names are returned: a warning must never carry the value.
 */
export function shortSecretNames(graphs: Iterable<IrGraph>, env: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  for (const graph of graphs) {
    for (const name of graph.secrets) {
      const value = env[name];
      if (value !== undefined && value !== '' && value.length < minMaskedLength) names.add(name);
    }
  }
  return [...names].sort();
}

/** The warning line for one short secret, naming it and never showing its value. */
export function shortSecretWarning(name: string): string {
  return `warning: secret ${name} is shorter than ${minMaskedLength} characters, so it cannot be masked reliably in logs, reports and the audit; use a longer value`;
}
