// Regenerates docs/diagnostics.md and docs/action-error-codes.md (run by `npm run docs`; a test
// fails when either is stale).
import { writeFileSync } from 'node:fs';
import { renderCodesDoc } from '../compiler/diagnostics/codes-doc.js';
import { renderActionErrorCodesDoc } from '../executor/core/action-error-codes-doc.js';

writeFileSync(new URL('../docs/diagnostics.md', import.meta.url), renderCodesDoc());
writeFileSync(new URL('../docs/action-error-codes.md', import.meta.url), renderActionErrorCodesDoc());
