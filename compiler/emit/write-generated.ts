import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { CompileResult } from '../compile.js';
import type { Emitter, GeneratedFile } from './emitter.js';

export interface GeneratedStatus {
  readonly files: GeneratedFile[];
  /** Files whose content differs from what would be written. */
  readonly changed: string[];
  /** Files that would be created. */
  readonly added: string[];
  /** Owned files that would be deleted (their source is gone). */
  readonly removed: string[];
}

/** Emits every file and compares with the tree, without writing. */
export function planGenerated(root: string, result: CompileResult, emitters: readonly Emitter[]): GeneratedStatus {
  const files = emitters.flatMap((e) => e.emit(result)).sort((a, b) => (a.path < b.path ? -1 : 1));
  const produced = new Set(files.map((f) => f.path));
  const changed: string[] = [];
  const added: string[] = [];
  for (const f of files) {
    let current: Buffer | undefined;
    try {
      current = readFileSync(join(root, f.path));
    } catch {
      current = undefined;
    }
    if (current === undefined) added.push(f.path);
    else if (!sameContent(current, f)) changed.push(f.path);
  }
  const removed = ownedFiles(root, emitters).filter((p) => !produced.has(p));
  return { files, changed, added, removed };
}

/** Whether the bytes on disk are `file`'s: byte for byte when its bytes are at hand (no decoding). */
function sameContent(current: Buffer, file: GeneratedFile): boolean {
  return file.utf8 ? current.equals(file.utf8) : current.toString('utf8') === file.content;
}

/**
 * The existing files some emitter owns: each emitter's `owns`, asked only about the files under
 * its own `folders`, so no emitter can claim a file outside the folders it declares. Sorted.
 */
export function ownedFiles(root: string, emitters: readonly Emitter[]): string[] {
  const owned = new Set<string>();
  const listed = new Map<string, string[]>();
  for (const emitter of emitters) {
    for (const folder of emitter.folders) {
      if (!listed.has(folder)) listed.set(folder, listFiles(root, folder));
      for (const path of listed.get(folder)!) if (emitter.owns(path)) owned.add(path);
    }
  }
  return [...owned].sort();
}

/** Writes what changed and deletes owned files that are no longer produced. */
export function writeGenerated(root: string, status: GeneratedStatus): void {
  const dirty = new Set([...status.changed, ...status.added]);
  for (const f of status.files) {
    if (!dirty.has(f.path)) continue;
    const abs = join(root, f.path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, f.utf8 ?? f.content);
  }
  for (const p of status.removed) rmSync(join(root, p), { force: true });
}

function listFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(abs, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(join(root, dir));
  return out.sort();
}
