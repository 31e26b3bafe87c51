import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { diagnosticCodes, type DiagnosticCode } from '../../compiler/diagnostics/codes.js';
import { positionAt } from '../../compiler/source/source-file.js';

/**
 * Fixture-driven diagnostics: test/fixtures/diagnostics/<code>/<case>/ holds a small tree
 * (runbooks/…) and expect.json — the exact list of errors and warnings, by code, file, line and
 * column (1-based). Nothing else may be reported, so cascades show up as failures.
 */
interface Expected {
  code: DiagnosticCode;
  file: string;
  line: number;
  column: number;
}

const root = join(import.meta.dirname, '..', 'fixtures', 'diagnostics');
const codes = readdirSync(root)
  .filter((c) => !c.startsWith('.'))
  .sort();
const cases = codes.flatMap((code) =>
  readdirSync(join(root, code))
    .filter((c) => existsSync(join(root, code, c, 'expect.json')))
    .map((c) => ({ code, name: c, dir: join(root, code, c) })),
);

describe('diagnostic fixtures', () => {
  it.each(cases)('$code/$name', ({ code, dir }) => {
    const expected = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as Expected[];
    const result = compileTree(dir);
    const actual = result.diagnostics
      .filter((d) => d.severity !== 'info' || d.code === code) // infos only in their own folder
      .map((d) => {
        const file = result.project.files.get(d.file);
        const pos = file ? positionAt(file, d.range.start) : { line: 1, column: 1 };
        return { code: d.code, file: d.file, line: pos.line, column: pos.column };
      });
    expect(actual).toEqual(expected);
  });

  it('every fixture folder is named after a known code', () => {
    for (const code of codes) expect(Object.keys(diagnosticCodes)).toContain(code);
  });

  it('every code that can be reported has a fixture', () => {
    // read-error needs an unreadable file, which git cannot store; it is covered in test/load.
    const exempt = new Set<string>(['read-error']);
    const missing = Object.keys(diagnosticCodes).filter((c) => !exempt.has(c) && !codes.includes(c));
    expect(missing).toEqual([]);
  });
});
