// Regenerates common/actions-catalog/types.generated.ts from schemas/actions/ (run by
// `npm run gen:action-types`; test/common/action-types.test.ts fails when the file is stale).
import { writeFileSync } from 'node:fs';
import { generatedTypesPath, renderActionTypes } from './action-types.js';

writeFileSync(generatedTypesPath, await renderActionTypes());
