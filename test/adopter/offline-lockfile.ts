import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

type LockEntry = Record<string, unknown> & { dev?: boolean };
interface Lockfile {
  packages: Record<string, LockEntry>;
}

/**
 * Writes the package-lock.json `npm install` would write for an adopter's package.json that
 * depends on the packed tarball, so that `npm install` and `npm ci` run with `--offline` and never
 * ask a registry: the tarball's own dependencies are the tool's production entries of this
 * repository's lockfile (same versions, `resolved` and `integrity`), whose tarballs are in the npm
 * cache because this checkout was installed with `npm ci`. npm only needs registry metadata when
 * it has to resolve a range; with a lockfile that satisfies package.json it fetches tarballs by
 * integrity from the cache. This stands in for the registry, not for the install: npm still
 * unpacks the tarball and links its bin as it would for any adopter.
 */
export function writeOfflineLockfile(repoRoot: string, adopter: string, tarball: string): void {
  const pkg = JSON.parse(readFileSync(join(adopter, 'package.json'), 'utf8')) as {
    name: string;
    dependencies: Record<string, string>;
  };
  const tool = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown> & {
    name: string;
  };
  const ours = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as Lockfile;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, LockEntry> = {
    '': { name: pkg.name, dependencies: pkg.dependencies },
    [`node_modules/${tool.name}`]: {
      version: tool.version,
      resolved: `file:${relative(adopter, tarball)}`,
      integrity,
      license: tool.license,
      dependencies: tool.dependencies,
      bin: tool.bin,
      engines: tool.engines,
    },
  };
  for (const [path, entry] of Object.entries(ours.packages)) {
    if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  }
  writeFileSync(
    join(adopter, 'package-lock.json'),
    JSON.stringify({ name: pkg.name, lockfileVersion: 3, requires: true, packages }, null, 2) + '\n',
  );
}
