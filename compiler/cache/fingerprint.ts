import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This module's folder: `<package>/dist/compiler/cache` when built, `<package>/compiler/cache` under tsx. */
const here = dirname(fileURLToPath(import.meta.url));
/** The compiler's own code and everything it imports from the package: ir/, common/ beside compiler/. */
const codeRoot = dirname(dirname(here));
const built = codeRoot.endsWith('dist');
const packageRoot = built ? dirname(codeRoot) : codeRoot;
/** The build stamp `npm run build` writes (scripts/build-fingerprint.js): the tree's hash, computed once. */
const stampPath = join(here, 'fingerprint.json');
const stampFormat = 1;

/** dist/compiler/cache/fingerprint.json. */
interface ToolStamp {
  readonly format: number;
  /** `treeHash()` at build time. */
  readonly tree: string;
  /** Size of every file hashed, by path from the package root: what a stale stamp is caught by. */
  readonly files: Record<string, number>;
}

let memo: string | undefined;

/**
 * The tool's identity for the compile cache: its package version, plus a hash of the compiler's
 * own code (compiler/, ir/, common/) and of schemas/. A rebuilt compiler, even one with the same
 * version, never reuses output an older build wrote. Computed once per process; a built package
 * reads the hash from its build stamp instead of reading every file (see `trustedStamp`).
 */
export function toolFingerprint(): string {
  memo ??= readToolFingerprint().value;
  return memo;
}

/** The fingerprint and where its tree hash came from: the build stamp, or hashing the tree now. */
export function readToolFingerprint(): { value: string; from: 'stamp' | 'tree' } {
  const stamped = trustedStamp();
  const tree = stamped ?? treeHash();
  const value = createHash('sha256').update(`${readPackageVersion()}\0${tree}`).digest('hex');
  return { value, from: stamped === undefined ? 'tree' : 'stamp' };
}

/** Writes the build stamp of the built tree (run by `npm run build` after tsc and the validators). */
export function writeToolStamp(): string {
  const files: Record<string, number> = {};
  for (const abs of toolFiles()) files[relative(packageRoot, abs)] = statSync(abs).size;
  const stamp: ToolStamp = { format: stampFormat, tree: treeHash(), files };
  writeFileSync(stampPath, JSON.stringify(stamp));
  return stampPath;
}

/**
 * The stamp's tree hash, when the tree still looks as it did when the stamp was written: the same
 * files, of the same sizes, none modified after the stamp. `tsc` run without the stamp script, an
 * edited schema or a copied-in file leaves a stale stamp, and then the tree is hashed (the content
 * stays the authority; the stamp only saves reading it). Sizes and "not newer than the stamp"
 * rather than exact mtimes, because an npm install gives every file of a package the same mtime.
 */
function trustedStamp(): string | undefined {
  if (!built) return undefined; // under tsx the sources change all the time: always hash them
  let stamp: ToolStamp;
  let stampedAt: number;
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as ToolStamp;
    stampedAt = statSync(stampPath).mtimeMs;
  } catch {
    return undefined;
  }
  if (stamp.format !== stampFormat || typeof stamp.tree !== 'string') return undefined;
  const files = toolFiles();
  if (files.length !== Object.keys(stamp.files).length) return undefined;
  for (const abs of files) {
    const stat = statSync(abs);
    if (stamp.files[relative(packageRoot, abs)] !== stat.size || stat.mtimeMs > stampedAt) return undefined;
  }
  return stamp.tree;
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

/** Hash of every tool file, by path from the package root and content. */
function treeHash(): string {
  const hash = createHash('sha256');
  for (const abs of toolFiles())
    hash
      .update(`${relative(packageRoot, abs)}\0`)
      .update(readFileSync(abs))
      .update('\0');
  return hash.digest('hex');
}

/** The files the fingerprint covers, in a stable order: source maps and the stamp itself excluded. */
function toolFiles(): string[] {
  const out: string[] = [];
  for (const dir of ['compiler', 'ir', 'common']) listTree(join(codeRoot, dir), out);
  listTree(join(packageRoot, 'schemas'), out);
  return out;
}

function listTree(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch {
    return; // a missing folder (common/ in an old build) hashes as nothing
  }
  for (const e of entries) {
    const abs = join(dir, e.name);
    if (e.isDirectory()) listTree(abs, out);
    else if (!e.name.endsWith('.map') && abs !== stampPath) out.push(abs);
  }
}
