import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { positionAt, type SourceFile } from '../../compiler/source/source-file.js';

/** A diagnostic with 1-based line/column computed from its offsets, for printing. */
export interface LocatedDiagnostic extends Diagnostic {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export function locate(d: Diagnostic, files: ReadonlyMap<string, SourceFile>): LocatedDiagnostic {
  const file = files.get(d.file);
  if (!file) return { ...d, line: 1, column: 1, endLine: 1, endColumn: 1 };
  const start = positionAt(file, d.range.start);
  const end = positionAt(file, Math.max(d.range.end, d.range.start));
  return { ...d, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}
