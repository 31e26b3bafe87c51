import { actionCatalog as sharedCatalog, type ActionEntry } from '../../common/actions-catalog/index.js';

/** What the compiler knows of an action: the shared catalogue's entry (common/actions-catalog/). */
export type ActionInfo = ActionEntry;

export { packageRoot, schemasDir } from '../../common/actions-catalog/index.js';

/** The action catalogue keyed by action id, read once from `schemas/actions/` by the shared module. */
export function actionCatalog(): ReadonlyMap<string, ActionInfo> {
  return sharedCatalog();
}
