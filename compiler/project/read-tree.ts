import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatOf } from '../load/format-of.js';
import type { SourceFile } from '../source/source-file.js';

/** Files larger than this are refused rather than parsed: nobody writes a 4 MiB runbook. */
export const maxFileBytes = 4 * 1024 * 1024;

export interface TreeRead {
  readonly files: SourceFile[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Reads the runbook files under `paths` (files or directories, relative to `root`), in sorted
 * order so compilation is deterministic. The only I/O the compiler does. A path listed in
 * `optional` is skipped silently when it does not exist. `accepts` picks the files found inside
 * directories (default: the runbook formats; drill records use `.json`, see read-drill-files.ts).
 */
export function readTree(
  root: string,
  paths: readonly string[],
  optional: readonly string[] = [],
  accepts: (path: string) => boolean = (path) => formatOf(path) !== undefined,
): TreeRead {
  const files: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const visit = (abs: string, explicit: boolean): void => {
    let st;
    try {
      st = statSync(abs);
    } catch (e) {
      if (explicit)
        diagnostics.push(readError(relPath(root, abs), `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`));
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(abs).sort()) {
        if (name.startsWith('.') || name === 'node_modules') continue;
        visit(resolve(abs, name), false);
      }
      return;
    }
    const path = relPath(root, abs);
    if (seen.has(path) || (!explicit && !accepts(path))) return;
    seen.add(path);
    if (st.size > maxFileBytes) {
      diagnostics.push(readError(path, `file is ${st.size} bytes; the limit is ${maxFileBytes}`));
      return;
    }
    const buf = readFileSync(abs);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(buf);
    if (text.includes('\u0000') || text.includes('\uFFFD')) {
      diagnostics.push(readError(path, 'file is not UTF-8 text'));
      return;
    }
    files.push({ path, text });
  };
  // An optional path (e.g. runs/, which most repositories start without) may be missing.
  for (const p of paths) {
    if (optional.includes(p) && !existsSync(resolve(root, p))) continue;
    visit(resolve(root, p), true);
  }
  return { files, diagnostics };
}

function relPath(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

function readError(path: string, message: string): Diagnostic {
  return { code: 'read-error', severity: 'error', file: path, range: { start: 0, end: 0 }, message };
}
