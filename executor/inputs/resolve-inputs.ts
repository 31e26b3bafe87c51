import { coerceInput } from '../../ir/coerce-input.js';
import type { IrGraph } from '../../ir/types.js';
import { RunRefused } from '../core/errors.js';

/**
 * Turns `--input k=v` strings (or values from a run request) into typed inputs, applying defaults;
 * every problem is collected so the operator fixes them all at once.
 */
export function resolveInputs(graph: IrGraph, given: Record<string, unknown>): Record<string, unknown> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(graph.inputs, name)) {
      const known = Object.keys(graph.inputs);
      problems.push(
        `unknown input "${name}"${known.length ? ` (inputs: ${known.join(', ')})` : ' (this runbook takes no inputs)'}`,
      );
    }
  }
  for (const [name, def] of Object.entries(graph.inputs)) {
    const raw = Object.hasOwn(given, name) ? given[name] : def.default;
    if (raw === undefined || raw === '') {
      if (def.required && raw === undefined)
        problems.push(`input "${name}" is required${def.description ? `: ${def.description}` : ''}`);
      else if (raw !== undefined) out[name] = coerceInput(name, def, raw, (m) => problems.push(m));
      continue;
    }
    out[name] = coerceInput(name, def, raw, (m) => problems.push(m));
  }
  if (problems.length)
    throw new RunRefused(
      `bad inputs for ${graph.name}:\n  - ${problems.join('\n  - ')}`,
      'pass inputs as --input name=value',
    );
  return out;
}

/** Parses `name=value` pairs; the value may contain `=`. */
export function parseInputArgs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new RunRefused(`--input ${JSON.stringify(pair)} is not name=value`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}
