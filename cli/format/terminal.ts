import { codeFrameColumns } from '@babel/code-frame';
import pc from 'picocolors';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import type { SourceFile } from '../../compiler/source/source-file.js';
import { locate } from './located.js';

const paint = { error: pc.red, warning: pc.yellow, info: pc.blue } as const;

/** Terminal output: `file:line:col severity message [code]`, a code frame with a pointer, the hint. */
export function formatTerminal(
  diagnostics: readonly Diagnostic[],
  files: ReadonlyMap<string, SourceFile>,
  color = pc.isColorSupported,
): string {
  const out: string[] = [];
  for (const d of diagnostics) {
    const l = locate(d, files);
    const sev = color ? paint[l.severity](l.severity) : l.severity;
    const where = color ? pc.bold(`${l.file}:${l.line}:${l.column}`) : `${l.file}:${l.line}:${l.column}`;
    out.push(`${where} ${sev} ${l.message} ${color ? pc.dim(`[${l.code}]`) : `[${l.code}]`}`);
    const file = files.get(l.file);
    if (file && file.text.length > 0) {
      // Multi-line ranges are shown by their first line: that is where the reader must look.
      const endColumn = l.endLine === l.line && l.endColumn > l.column ? l.endColumn : undefined;
      const frame = codeFrameColumns(
        file.text,
        {
          start: { line: l.line, column: l.column },
          ...(endColumn ? { end: { line: l.line, column: endColumn } } : {}),
        },
        { highlightCode: false, forceColor: false, linesAbove: 1, linesBelow: 1 },
      );
      out.push(
        frame
          .split('\n')
          .map((s) => '  ' + s)
          .join('\n'),
      );
    }
    if (l.hint) out.push(`  ${color ? pc.cyan('hint') : 'hint'}: ${l.hint}`);
    out.push('');
  }
  return out.join('\n');
}

/** `✖ 2 errors, 1 warning` / `✔ no problems` */
export function summary(diagnostics: readonly Diagnostic[], files: number, color = pc.isColorSupported): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (errors + warnings === 0) {
    const text = `✔ ${plural(files, 'file')} checked, no problems`;
    return color ? pc.green(text) : text;
  }
  const text = `✖ ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'file')}`;
  return color ? (errors ? pc.red(text) : pc.yellow(text)) : text;
}
