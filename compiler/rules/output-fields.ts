import { actionCatalog } from '../actions/catalog.js';
import type { StepSpec } from '../model/specs.js';
import { isShell } from '../../common/actions-catalog/index.js';

/**
 * What `steps.X.outputs.<field>` may name for step X: `open` when any name may be written at run
 * time (a `shell` step's `$RUNBOOK_OUTPUT`, or an action the compiler does not know, which
 * unknown-action reports), otherwise the action's result fields (`x-result` properties) plus the
 * step's declared `outputs:`.
 */
export type OutputFields = { readonly open: true } | { readonly open: false; readonly fields: readonly string[] };

/** The output names a later step may read from `step`; see OutputFields. */
export function outputFieldsOf(step: StepSpec): OutputFields {
  const declared = Object.keys(step.outputs ?? {});
  const uses = step.uses ?? (step.run !== undefined ? 'shell' : undefined);
  // A shell script writes any key it likes; once the step declares `outputs:` those are its contract.
  if (isShell(uses)) return declared.length ? { open: false, fields: declared } : { open: true };
  const action = uses === undefined ? undefined : actionCatalog().get(uses);
  if (!action) return { open: true };
  const properties = (action.result?.properties ?? {}) as Record<string, unknown>;
  return { open: false, fields: [...new Set([...Object.keys(properties), ...declared])] };
}
