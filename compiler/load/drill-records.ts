import type { DrillRecord } from '../../ir/drill-record.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { LoadedDoc } from './loaded-doc.js';
import { loadYaml } from './load-yaml.js';
import type { Range, SourceFile } from '../source/source-file.js';
import { validatorFor } from '../validate/ajv.js';
import { schemaDiagnostics } from '../validate/schema-diagnostics.js';

/**
 * What a compile reads from `drills/` besides the runbook tree: the records `runbook drill` writes
 * (`drills/records/<run-id>.json`) and their reports (`drills/reports/<run-id>.md`). Kept apart
 * from the runbook files because a report is Markdown but not a runbook: loading it as one would
 * report a missing front matter.
 */
export interface DrillFiles {
  readonly records: readonly SourceFile[];
  readonly reports: readonly SourceFile[];
  /** `drills/ci-exercises.json`, when the repository keeps one (load/ci-exercises.ts). */
  readonly ci?: SourceFile;
}

/** No drills: what `compileFiles` assumes when it is given none. */
export const noDrillFiles: DrillFiles = { records: [], reports: [] };

/** A report file becomes the wiki page `Drill-<base name>`; other names are not copied. */
const reportName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A report as a wiki page: the run id it belongs to (its base name) and its Markdown. */
export interface DrillReport {
  readonly runId: string;
  readonly file: SourceFile;
}

/** The reports that get a wiki page, by run id (the base name), sorted. */
export function drillReportsOf(files: readonly SourceFile[]): DrillReport[] {
  const out = new Map<string, DrillReport>();
  for (const file of files) {
    const base = file.path.slice(file.path.lastIndexOf('/') + 1).replace(/\.md$/, '');
    if (reportName.test(base) && !out.has(base)) out.set(base, { runId: base, file });
  }
  return [...out.values()].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
}

/**
 * Parses and validates the record files: each must be JSON of the shape
 * `schemas/drill-record.schema.json` describes and be named `<runId>.json`. A malformed record is
 * reported (`drill-record-invalid`, at the offending value) and left out, never guessed at.
 * Records come back sorted by `endedAt`, then run id, so every consumer sees the same order.
 */
export function parseDrillRecords(files: readonly SourceFile[]): { records: DrillRecord[]; diagnostics: Diagnostic[] } {
  const records: DrillRecord[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const result = parseRecord(file);
    if ('record' in result) records.push(result.record);
    else diagnostics.push(...result.diagnostics);
  }
  return { records: records.sort(byEnd), diagnostics };
}

/** Oldest first: by when the drill ended, then by run id (unique: it is the file name). */
export function byEnd(a: DrillRecord, b: DrillRecord): number {
  const ta = Date.parse(a.endedAt);
  const tb = Date.parse(b.endedAt);
  return ta - tb || (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0);
}

function parseRecord(file: SourceFile): { record: DrillRecord } | { diagnostics: Diagnostic[] } {
  const fail = failFor(file);
  const hint = 'records are written by `runbook drill`; restore the file from git or delete it';
  try {
    JSON.parse(file.text);
  } catch (e) {
    // YAML would accept more than JSON (comments, bare words): JSON.parse decides, YAML locates.
    const at = jsonErrorOffset(file, e as Error);
    return fail(
      `not valid JSON: ${(e as Error).message}`,
      { start: at, end: Math.min(at + 1, file.text.length) },
      hint,
    );
  }
  const loaded = loadYaml(file);
  const value = loaded.documents[0];
  if (!value) {
    // Valid JSON that YAML refuses: a duplicate key, whose value JSON.parse silently overwrote.
    const problem = loaded.diagnostics[0];
    return fail(
      `not a single JSON object${problem ? `: ${problem.message}` : ''}`,
      problem?.range ?? { start: 0, end: 0 },
      hint,
    );
  }
  const validate = validatorFor('drill-record.schema.json');
  if (!validate(value.data)) {
    // schemaDiagnostics reads only the file and the source map of the "document".
    const doc = { file, map: value.map, data: value.data, format: 'yaml', kind: 'Runbook' } as unknown as LoadedDoc;
    const found = schemaDiagnostics(validate.errors ?? [], doc).map((d) => ({
      ...d,
      code: 'drill-record-invalid' as const,
      message: `drill record: ${d.message}`,
      hint: d.hint ?? hint,
    }));
    return { diagnostics: found };
  }
  const record = value.data as DrillRecord;
  return checkRecord(file, record, (pointer) => value.map.range(pointer), hint) ?? { record };
}

type Failure = { diagnostics: Diagnostic[] };

/** A `drill-record-invalid` diagnostic in `file`. */
function failFor(file: SourceFile) {
  return (message: string, range: Range, hint?: string): Failure => ({
    diagnostics: [
      {
        code: 'drill-record-invalid' as const,
        severity: 'error' as const,
        message,
        file: file.path,
        range,
        ...(hint ? { hint } : {}),
      },
    ],
  });
}

/** What the schema cannot say of a record: its file name is its run id, and it ends after it starts. */
function checkRecord(
  file: SourceFile,
  record: DrillRecord,
  rangeOf: (pointer: string) => Range,
  hint: string,
): Failure | undefined {
  const fail = failFor(file);
  const base = file.path.slice(file.path.lastIndexOf('/') + 1);
  if (base !== `${record.runId}.json`) {
    return fail(
      `the record of run "${record.runId}" must be named ${record.runId}.json, not ${base}`,
      rangeOf('/runId'),
      'the run id names the record and its report; rename the file back',
    );
  }
  if (Date.parse(record.endedAt) < Date.parse(record.startedAt)) {
    return fail(`endedAt (${record.endedAt}) is before startedAt (${record.startedAt})`, rangeOf('/endedAt'), hint);
  }
  return undefined;
}

/**
 * Where JSON.parse stopped. Node's messages say `at position N` (Node 20) and also
 * `(line L column C)` (Node 22); the YAML parser's own error is the fallback.
 */
function jsonErrorOffset(file: SourceFile, e: Error): number {
  const position = /at position (\d+)/.exec(e.message);
  if (position) return Math.min(Number(position[1]), file.text.length);
  const lineColumn = /line (\d+) column (\d+)/.exec(e.message);
  if (lineColumn) {
    const lines = file.text.split('\n').slice(0, Number(lineColumn[1]) - 1);
    return Math.min(lines.reduce((n, l) => n + l.length + 1, 0) + Number(lineColumn[2]) - 1, file.text.length);
  }
  const yaml = loadYaml(file).diagnostics[0];
  return yaml ? yaml.range.start : file.text.trim() === '' ? 0 : file.text.length;
}
