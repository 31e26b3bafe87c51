import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The compile cache on disk: `index.json` and one `entries/<key>.json` per runbook file (their
 * layout: entry-file.ts). `index.json` starts with the SHA-256 of the rest and a newline, so a
 * truncated or altered file reads as missing (and the compile falls back to a full one) rather
 * than as wrong output.
 */
/** Where `runbook compile` and `runbook validate` keep their cache, under the repository root (`.runbook/` is git-ignored). */
export const defaultCacheDir = (root: string): string => join(root, '.runbook', 'cache', 'compile');

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The parsed JSON of a cache file, or undefined when it is missing or fails its checksum. */
export function readChecked<T>(path: string): T | undefined {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const newline = text.indexOf('\n');
  if (newline !== 64) return undefined;
  const body = text.slice(65);
  if (sha256(body) !== text.slice(0, 64)) return undefined;
  try {
    return JSON.parse(body) as T;
  } catch {
    return undefined;
  }
}

/** Writes a cache file atomically (rename), so a killed compile leaves the old file or the new one. */
export function writeChecked(path: string, value: unknown): void {
  const body = JSON.stringify(value);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${sha256(body)}\n${body}`);
  renameSync(temp, path);
}

export function entriesDir(dir: string): string {
  return join(dir, 'entries');
}

export function entryPath(dir: string, key: string): string {
  return join(entriesDir(dir), `${key}.json`);
}

export function ensureDirs(dir: string): void {
  mkdirSync(entriesDir(dir), { recursive: true });
}

/** Deletes entries no longer named by the index (files edited or removed since). */
export function pruneEntries(dir: string, keep: ReadonlySet<string>): void {
  let names: string[];
  try {
    names = readdirSync(entriesDir(dir));
  } catch {
    return;
  }
  for (const name of names) {
    if (!keep.has(name.replace(/\.json$/, ''))) rmSync(join(entriesDir(dir), name), { force: true });
  }
}
