import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import type { SourceFile } from '../../compiler/source/source-file.js';
import { locate } from './located.js';

// Workflow-command escaping as in @actions/core: data escapes %, CR, LF; properties also : and ,.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const command = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** `--format github`: workflow annotations shown on the pull request's diff. */
export function formatGithub(
  diagnostics: readonly Diagnostic[],
  files: ReadonlyMap<string, SourceFile>,
  root = '',
): string {
  return diagnostics
    .map((d) => {
      const l = locate(d, files);
      const file = root ? `${root.replace(/\/$/, '')}/${l.file}` : l.file;
      const props = [
        `file=${escapeProperty(file)}`,
        `line=${l.line}`,
        `col=${l.column}`,
        `endLine=${l.endLine}`,
        `endColumn=${l.endColumn}`,
        `title=${escapeProperty(`runbook ${l.code}`)}`,
      ].join(',');
      const message = l.hint ? `${l.message}\n${l.hint}` : l.message;
      return `::${command[l.severity]} ${props}::${escapeData(message)}\n`;
    })
    .join('');
}
