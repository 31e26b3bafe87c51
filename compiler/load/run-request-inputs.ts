import { coerceInput } from '../../ir/coerce-input.js';
/**
 * Resolution of a RunRequest's inputs against a runbook's input definitions. It mirrors, rule for
 * rule, how the executor resolves inputs (executor/inputs/resolve-inputs.ts) — defaults applied when
 * an input is absent, numbers and booleans coerced from strings — because the plan hash shown in the
 * pull request must be the one the executor computes after the merge. The compiler may not import
 * executor code, so the logic is repeated here; test/diff/run-requests.test.ts pins the two together.
 */

/** What both a runbook's `spec.inputs` entry and the IR's `IrInput` provide. */
export interface InputDefinition {
  readonly type: 'string' | 'number' | 'boolean' | 'choice';
  readonly required?: boolean;
  readonly default?: string | number | boolean;
  readonly options?: readonly (string | number)[];
}

/** Not declared, required but absent, or a value of the wrong type / not an option. */
export type InputProblemKind = 'unknown' | 'missing' | 'invalid';

/** One problem with one input; `input` is the name it concerns. */
export interface InputProblem {
  readonly kind: InputProblemKind;
  readonly input: string;
  readonly message: string;
}

/** The result of `resolveRequestInputs`. */
export interface ResolvedInputs {
  /** Typed values with defaults applied; inputs with neither a value nor a default are absent. */
  readonly values: Record<string, unknown>;
  readonly problems: InputProblem[];
}

/** Resolves `given` (as written in a RunRequest) against `defs`; never throws. */
export function resolveRequestInputs(
  defs: Readonly<Record<string, InputDefinition>>,
  given: Readonly<Record<string, unknown>>,
): ResolvedInputs {
  const problems: InputProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (Object.hasOwn(defs, name)) continue;
    const known = Object.keys(defs);
    problems.push({
      kind: 'unknown',
      input: name,
      message: `unknown input "${name}"${known.length ? ` (inputs: ${known.join(', ')})` : ' (this runbook takes no inputs)'}`,
    });
  }
  for (const [name, def] of Object.entries(defs)) {
    const raw = Object.hasOwn(given, name) ? given[name] : def.default;
    // As in the executor: an absent required input is an error; an empty string is a value.
    if (raw === undefined) {
      if (def.required === true)
        problems.push({ kind: 'missing', input: name, message: `input "${name}" is required` });
      continue;
    }
    const problem = (message: string) => problems.push({ kind: 'invalid', input: name, message });
    values[name] = coerceInput(name, def, raw, problem);
  }
  return { values, problems };
}
