import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This module's folder: `<package>/dist/compiler/cache` when built, `<package>/compiler/cache` under tsx. */
const here = dirname(fileURLToPath(import.meta.url));
/** The compiler's own code and everything it imports from the package: ir/, common/ beside compiler/. */
const codeRoot = dirname(dirname(here));
const packageRoot = codeRoot.endsWith('dist') ? dirname(codeRoot) : codeRoot;

let memo: string | undefined;

/**
 * The tool's identity for the compile cache: its package version, plus a hash of the compiler's
 * own code (compiler/, ir/, common/) and of schemas/. A rebuilt compiler, even one with the same
 * version, never reuses output an older build wrote. Computed once per process.
 */
export function toolFingerprint(): string {
  if (memo !== undefined) return memo;
  const hash = createHash('sha256');
  hash.update(readPackageVersion());
  for (const dir of [
    join(codeRoot, 'compiler'),
    join(codeRoot, 'ir'),
    join(codeRoot, 'common'),
    join(packageRoot, 'schemas'),
  ])
    hashTree(hash, dir);
  memo = hash.digest('hex');
  return memo;
}

function readPackageVersion(): string {
  try {
    return String(
      (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: unknown }).version,
    );
  } catch {
    return 'unknown';
  }
}

/** Every file under `dir` (sorted, so the hash is stable), by relative path and content. */
function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return; // a missing folder (common/ in an old build) hashes as nothing
  }
  for (const e of entries) {
    const abs = join(dir, e.name);
    if (e.isDirectory()) hashTree(hash, abs);
    else if (!e.name.endsWith('.map'))
      hash
        .update(`${relative(packageRoot, abs)}\0`)
        .update(readFileSync(abs))
        .update('\0');
  }
}
