import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this module's location (works from sources and from dist/). */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return start;
      dir = parent;
    }
  }
}

/** `schemas/`: the JSON Schemas shipped with the package. */
export const schemasDir = join(packageRoot, 'schemas');

/** `schemas/actions/`: one `<id>.schema.json` per action, the catalogue's single source. */
export const actionSchemasDir = join(schemasDir, 'actions');
