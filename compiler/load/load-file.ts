import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../source/source-file.js';
import { formatOf } from './format-of.js';
import { splitFrontMatter } from './front-matter.js';
import { kinds, type DocFormat, type Kind, type LoadedDoc } from './loaded-doc.js';
import { loadChecklist } from './load-checklist.js';
import { loadMarkdownRunbook } from './load-markdown-runbook.js';
import { loadYaml, type YamlValue } from './load-yaml.js';
import { checkMarkdownLimits } from './markdown-limits.js';
import { MarkdownTooDeep } from './markdown-tree.js';

export interface FileLoadResult {
  readonly docs: LoadedDoc[];
  readonly diagnostics: Diagnostic[];
}

const kindsByFormat: Record<DocFormat, readonly Kind[]> = {
  yaml: ['Runbook', 'BackupPlan', 'Directory', 'RunRequest'],
  markdown: ['Runbook', 'Checklist'],
  handlebars: ['Template'],
};

// In its own module so reading a tree (read-tree.ts) does not load the parsers.
export { formatOf } from './format-of.js';

/** Loads one file under runbooks/ into its documents. Never throws for bad content. */
export function loadFile(file: SourceFile): FileLoadResult {
  const format = formatOf(file.path);
  if (!format) return { docs: [], diagnostics: [] };
  if (format === 'yaml') return loadYamlFile(file);
  const split = splitFrontMatter(file);
  if (!split) {
    return {
      docs: [],
      diagnostics: [
        {
          code: 'front-matter-missing',
          severity: 'error',
          file: file.path,
          range: { start: 0, end: Math.min(3, file.text.length) },
          message: 'expected YAML front matter (---) declaring apiVersion: runbook/v1 and kind',
        },
      ],
    };
  }
  const { documents, diagnostics } = loadYaml(file, split.yaml.start, split.yaml.end);
  const fm = documents[0];
  if (!fm) {
    if (diagnostics.length === 0) diagnostics.push(missingKind(file, split.yaml));
    return { docs: [], diagnostics };
  }
  const kind = checkKind(file, fm, format, diagnostics);
  if (!kind) return { docs: [], diagnostics };
  const body = { text: file.text.slice(split.body.start), range: split.body };
  const tooComplex = format === 'markdown' ? checkMarkdownLimits(file, split.body) : undefined;
  if (tooComplex) return { docs: [], diagnostics: [...diagnostics, tooComplex] };
  try {
    return loadBody(file, format, kind, fm, body, diagnostics);
  } catch (e) {
    if (!(e instanceof MarkdownTooDeep)) throw e;
    diagnostics.push({
      code: 'markdown-structure',
      severity: 'error',
      file: file.path,
      range: { start: split.body.start, end: Math.min(split.body.start + 1, file.text.length) },
      message: e.message,
    });
    return { docs: [], diagnostics };
  }
}

/** A YAML file: one document or more, each declaring its kind. */
function loadYamlFile(file: SourceFile): FileLoadResult {
  const { documents, diagnostics } = loadYaml(file);
  const docs: LoadedDoc[] = [];
  if (documents.length === 0 && diagnostics.length === 0) {
    // Empty, whitespace or comments only: every file under runbooks/ must declare what it is.
    diagnostics.push({
      code: 'unknown-kind',
      severity: 'error',
      file: file.path,
      range: { start: 0, end: Math.min(file.text.length, 1) },
      message: 'empty document: expected apiVersion: runbook/v1 and kind',
    });
  }
  for (const value of documents) {
    const kind = checkKind(file, value, 'yaml', diagnostics);
    if (kind) docs.push({ file, format: 'yaml', kind, data: value.data as Record<string, unknown>, map: value.map });
  }
  return { docs, diagnostics };
}

function loadBody(
  file: SourceFile,
  format: DocFormat,
  kind: Kind,
  fm: YamlValue,
  body: NonNullable<LoadedDoc['body']>,
  diagnostics: Diagnostic[],
): FileLoadResult {
  const split = { body: body.range };
  if (kind === 'Runbook') {
    const md = loadMarkdownRunbook(file, fm, split.body);
    return { docs: md.doc ? [md.doc] : [], diagnostics: [...diagnostics, ...md.diagnostics] };
  }
  if (kind === 'Checklist') {
    const cl = loadChecklist(file, fm, split.body);
    return { docs: [cl.doc], diagnostics: [...diagnostics, ...cl.diagnostics] };
  }
  return { docs: [{ file, format, kind, data: fm.data as Record<string, unknown>, map: fm.map, body }], diagnostics };
}

function missingKind(file: SourceFile, range: { start: number; end: number }): Diagnostic {
  return {
    code: 'unknown-kind',
    severity: 'error',
    file: file.path,
    range,
    message: 'front matter must declare apiVersion: runbook/v1 and kind',
  };
}

function checkKind(file: SourceFile, value: YamlValue, format: DocFormat, out: Diagnostic[]): Kind | undefined {
  const data = value.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    out.push({
      code: 'wrong-type',
      severity: 'error',
      file: file.path,
      range: value.range,
      message: 'a runbook document must be a YAML mapping',
    });
    return undefined;
  }
  const { apiVersion, kind } = data as Record<string, unknown>;
  if (apiVersion !== 'runbook/v1') {
    out.push({
      code: 'unknown-kind',
      severity: 'error',
      file: file.path,
      range: value.map.has('/apiVersion') ? value.map.range('/apiVersion') : value.range,
      message:
        apiVersion === undefined
          ? 'missing apiVersion: runbook/v1'
          : `unsupported apiVersion ${JSON.stringify(apiVersion)}; expected runbook/v1`,
    });
    return undefined;
  }
  const allowed = kindsByFormat[format];
  if (typeof kind !== 'string' || !(kinds as readonly string[]).includes(kind) || !allowed.includes(kind as Kind)) {
    out.push({
      code: 'unknown-kind',
      severity: 'error',
      file: file.path,
      range: value.map.has('/kind') ? value.map.range('/kind') : value.range,
      message:
        kind === undefined
          ? 'missing kind'
          : `kind ${JSON.stringify(kind)} is not allowed in a ${format} file; expected one of ${allowed.join(', ')}`,
    });
    return undefined;
  }
  return kind as Kind;
}
