import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import type { SourceFile } from '../../compiler/source/source-file.js';
import { locate } from './located.js';

/** `--format json`: an array of diagnostics with 1-based positions, for machines. */
export function formatJson(diagnostics: readonly Diagnostic[], files: ReadonlyMap<string, SourceFile>): string {
  const rows = diagnostics.map((d) => {
    const l = locate(d, files);
    return {
      code: l.code,
      severity: l.severity,
      message: l.message,
      file: l.file,
      line: l.line,
      column: l.column,
      endLine: l.endLine,
      endColumn: l.endColumn,
      ...(l.hint ? { hint: l.hint } : {}),
    };
  });
  return JSON.stringify(rows, null, 2) + '\n';
}
