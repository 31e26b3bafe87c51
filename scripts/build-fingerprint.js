// Run by `npm run build` last (after tsc and scripts/build-validators.js): writes
// dist/compiler/cache/fingerprint.json, the hash of the built compiler (dist/compiler, dist/ir,
// dist/common) and of schemas/, so that the compile cache does not read and hash every one of those
// files in each process to know which tool build it is. The compiler trusts the stamp only while
// the tree still matches it (compiler/cache/fingerprint.ts), so a later bare `tsc` is safe.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const { writeToolStamp } = await import(join(repo, 'dist', 'compiler', 'cache', 'fingerprint.js'));
console.log(`stamped the tool build: ${writeToolStamp()}`);
