// Regenerates docs/diagnostics.md (run by `npm run docs`; a test fails when it is stale).
import { writeFileSync } from 'node:fs';
import { renderCodesDoc } from '../compiler/diagnostics/codes-doc.js';

writeFileSync(new URL('../docs/diagnostics.md', import.meta.url), renderCodesDoc());
