import { actionCatalog } from '../../common/actions-catalog/index.js';

/**
 * Actions whose catalogue entry (`x-side-effects: false` in schemas/actions) says they change
 * nothing: approval, checklist and read-only calls. Read from the shared catalogue.
 */
export function sideEffectFreeActions(): ReadonlySet<string> {
  return new Set([...actionCatalog().values()].filter((a) => !a.sideEffects).map((a) => a.id));
}

/**
 * Each action's documented result fields (the properties of its `x-result` schema): what a later
 * step reads as `steps.X.outputs.<field>`, and what the compiler's unknown-output rule accepts.
 */
export function documentedResultFields(uses: string): readonly string[] {
  return actionCatalog().get(uses)?.resultFields ?? [];
}
