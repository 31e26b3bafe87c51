import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Range, SourceFile } from '../../compiler/source/source-file.js';
import { loadFile, type FileLoadResult } from '../../compiler/load/load-file.js';

const fixtures = fileURLToPath(new URL('../fixtures/markdown/', import.meta.url));

/** A fixture under test/fixtures/markdown as a SourceFile with a runbooks/ path. */
export function fixture(name: string): SourceFile {
  return { path: `runbooks/${name}`, text: readFileSync(fixtures + name, 'utf8') };
}

export function load(text: string, path = 'runbooks/test.md'): FileLoadResult & { file: SourceFile } {
  const file = { path, text };
  return { ...loadFile(file), file };
}

/** Range of the `occurrence`-th `needle` in `text`; throws so a typo in a test fails loudly. */
export function find(text: string, needle: string, occurrence = 0): Range {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`not found: ${needle}`);
  }
  return { start: at, end: at + needle.length };
}

/** Range of `needle` inside the first occurrence of `context`. */
export function within(text: string, context: string, needle: string): Range {
  const outer = find(text, context);
  const at = text.indexOf(needle, outer.start);
  if (at < 0 || at + needle.length > outer.end) throw new Error(`${needle} not in ${context}`);
  return { start: at, end: at + needle.length };
}

/** A minimal runbook front matter followed by `body`. */
export function runbook(body: string, extra = ''): string {
  return `---\napiVersion: runbook/v1\nkind: Runbook\nmetadata: { name: t }\n${extra}---\n${body}`;
}

/** Codes and ranges of the diagnostics, as the house style says tests should assert. */
export function codes(result: FileLoadResult): { code: string; range: Range }[] {
  return result.diagnostics.map((d) => ({ code: d.code, range: d.range }));
}
