export { actionCatalog, actionEntryOf, type ActionEntry, type ActionFlags } from './catalog.js';
export {
  asksConfirmation,
  hasFlag,
  isGate,
  isShell,
  isWait,
  referenceParam,
  referencedValue,
  sqlParams,
} from './flags.js';
export {
  actionKeywords,
  addActionKeywords,
  type ActionKeyword,
  type KeywordHost,
  type ReferenceKind,
} from './keywords.js';
export { actionSchemasDir, packageRoot, schemasDir } from './package-root.js';
export type * from './types.generated.js';
