import type { IrGraph } from '../ir/types.js';
import { actionCatalog } from './actions/catalog.js';
import { dedupeDiagnostics, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import { defaultSeverity } from './diagnostics/codes.js';
import { graphOf } from './graph/build-graph.js';
import { resolveDependencies } from './graph/dependencies.js';
import { lowerBackupPlan } from './graph/lower-backup-plan.js';
import type { LoadedDoc } from './load/loaded-doc.js';
import { docName } from './load/loaded-doc.js';
import { runRequestsOf, type RunRequestInfo } from './load/run-request.js';
import type { BackupPlanDocData, DirectoryDocData, RunbookDocData, TemplateDocData } from './model/specs.js';
import { buildProject, type Project } from './project/project.js';
import { defaultPaths, readInputs, type CompileInputs } from './project/read-inputs.js';
import { rules } from './rules/index.js';
import type { RuleContext, RunbookUnit } from './rules/rule.js';
import type { SourceFile } from './source/source-file.js';
import { validateDocs } from './validate/validate-docs.js';
import { withTemplateCache } from './expressions/parse-template.js';
import type { DrillRecord } from '../ir/drill-record.js';
import {
  drillReportsOf,
  noDrillFiles,
  parseDrillRecords,
  type DrillFiles,
  type DrillReport,
} from './load/drill-records.js';
import { parseCiExercises, type CiExercise } from './load/ci-exercises.js';
import type { EmitMemo } from './cache/emit-memo.js';
import { parseToday, referenceDateOf, type DrillFacts, type ReferenceDate } from './project/drill-facts.js';

export interface CompileResult {
  readonly project: Project;
  readonly context: RuleContext;
  /** Sorted, deduplicated. */
  readonly diagnostics: Diagnostic[];
  /** One per runbook (and lowered BackupPlan) whose file has no errors, sorted by name. */
  readonly graphs: IrGraph[];
  /** Schema-valid RunRequests (runs/), sorted by file, with the plan hash each will run. */
  readonly runRequests: RunRequestInfo[];
  // ── drills (load/drill-records.ts, project/drill-facts.ts) ──
  /** Valid drill records (drills/records/*.json), oldest first: by `endedAt`, then run id. */
  readonly drillRecords: DrillRecord[];
  /** Drill reports (drills/reports/*.md) that become wiki pages `Drill-<run-id>`, by run id. */
  readonly drillReports: DrillReport[];
  /** library: the CI claims of `drills/ci-exercises.json`; undefined when the repository keeps none. */
  readonly ciExercises?: CiExercise[];
  /** The date drill freshness was measured against (newest record or `today`), if any. */
  readonly drillReferenceDate?: ReferenceDate;
  /** Set by an incremental compile (compiler/cache/): per-graph output an emitter may reuse or record. */
  readonly memo?: EmitMemo;
}

/** What a compile may be given besides the runbook files. */
export interface CompileOptions {
  /** The `drills/` files: `compileTree` reads them; in-memory callers pass them (default: none). */
  readonly drills?: DrillFiles;
  /**
   * "Today" for drill freshness (`YYYY-MM-DD`, a zoned ISO date-time or a Date). Never defaulted to
   * the clock: callers pass it explicitly (the CLI from `RUNBOOK_TODAY`), see project/drill-facts.ts.
   */
  readonly today?: string | Date;
}

// Reading the tree needs none of the parsers, so it lives apart: a cached validate loads only it.
export { defaultPaths, optionalPaths, readInputs, type CompileInputs } from './project/read-inputs.js';

/** Reads the tree (and `drills/`) and compiles it. The only I/O is reading files. */
export function compileTree(
  root: string,
  paths: readonly string[] = defaultPaths,
  options: Omit<CompileOptions, 'drills'> = {},
): CompileResult {
  return compileInputs(readInputs(root, paths), options);
}

/** Compiles what `readInputs` read; read errors join the compile's diagnostics. */
export function compileInputs(inputs: CompileInputs, options: Omit<CompileOptions, 'drills'> = {}): CompileResult {
  const result = compileFiles(inputs.files, { ...options, drills: inputs.drills });
  return { ...result, diagnostics: sortDiagnostics([...inputs.diagnostics, ...result.diagnostics]) };
}

/** Pure compilation of in-memory files: load → validate → rules → graphs. */
export function compileFiles(files: readonly SourceFile[], options: CompileOptions = {}): CompileResult {
  // Rules parse many of the same template strings; parse each once per compile.
  return withTemplateCache(() => compileUncached(files, options));
}

function compileUncached(files: readonly SourceFile[], options: CompileOptions): CompileResult {
  const drillFiles = options.drills ?? noDrillFiles;
  // drills: records join the project's files (JSON loads as no document) so findings in them print with positions.
  const ciFile = drillFiles.ci ? [drillFiles.ci] : [];
  const { project, diagnostics } = buildProject([...files, ...drillFiles.records, ...ciFile]);
  const checked = validateDocs(project.docs);
  diagnostics.push(...checked.diagnostics);
  const parsed = parseDrillRecords(drillFiles.records);
  diagnostics.push(...parsed.diagnostics);
  const ci = drillFiles.ci ? parseCiExercises(drillFiles.ci) : undefined;
  diagnostics.push(...(ci?.diagnostics ?? []));
  const reference = referenceDateOf(
    parsed.records,
    options.today === undefined ? undefined : parseToday(options.today),
  );
  const drills: DrillFacts = { records: parsed.records, ...(reference ? { reference } : {}) };
  const context = createContext(project, checked.valid, diagnostics, drills);
  for (const rule of rules) rule.check(context);
  const clean = dedupeDiagnostics(diagnostics);
  const failing = new Set(clean.filter((d) => d.severity === 'error').map((d) => d.file));
  const graphs = context.runbooks
    .filter((unit) => !failing.has(unit.doc.file.path))
    .map((unit) => graphOf(unit, context))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const runRequests = runRequestsOf(context.valid('RunRequest'), graphs);
  return {
    project,
    context,
    diagnostics: sortDiagnostics(clean),
    graphs,
    runRequests,
    drillRecords: parsed.records,
    drillReports: drillReportsOf(drillFiles.reports),
    ...(reference ? { drillReferenceDate: reference } : {}),
    ...(ci ? { ciExercises: ci.exercises } : {}),
  };
}

/** Findings of one code reported at one value (pointer) at most; see `report`. */
const maxFindingsPerValue = 100;

function createContext(project: Project, valid: Set<LoadedDoc>, sink: Diagnostic[], drills: DrillFacts): RuleContext {
  const validOf = (kind: LoadedDoc['kind']) => project.docs.filter((d) => d.kind === kind && valid.has(d));
  const runbooks: RunbookUnit[] = validOf('Runbook').map((doc) => {
    const data = doc.data as unknown as RunbookDocData;
    return { doc, data, deps: resolveDependencies(data.spec) };
  });
  const backupPlans = validOf('BackupPlan').map((doc) => ({ doc, data: doc.data as unknown as BackupPlanDocData }));
  for (const plan of backupPlans) runbooks.push(lowerBackupPlan(plan.doc, plan.data));
  const templates = new Map<string, { doc: LoadedDoc; data: TemplateDocData }>();
  for (const doc of validOf('Template')) {
    const name = docName(doc);
    if (name && !templates.has(name)) templates.set(name, { doc, data: doc.data as unknown as TemplateDocData });
  }
  const perValue = new Map<string, number>();
  const dirDoc = project.directory && valid.has(project.directory) ? project.directory : undefined;
  return {
    project,
    catalog: actionCatalog(),
    runbooks,
    templates,
    backupPlans,
    directory: dirDoc ? { doc: dirDoc, data: dirDoc.data as unknown as DirectoryDocData } : undefined,
    drills,
    valid: validOf,
    report(doc, pointer, code, message, options = {}) {
      // Past this many findings of one code at one value, more only repeat themselves, and
      // locating each one would make a hostile value quadratic.
      const key = `${doc.file.path}\0${pointer}\0${code}`;
      const count = (perValue.get(key) ?? 0) + 1;
      perValue.set(key, count);
      if (count > maxFindingsPerValue) return;
      const within = options.within;
      const raw =
        options.range ??
        (within ? doc.map.rangeWithin(pointer, within.text, within.start, within.end) : undefined) ??
        (options.needle !== undefined
          ? doc.map.rangeOf(pointer, options.needle, options.occurrence ?? 0)
          : options.key
            ? doc.map.keyRange(pointer)
            : doc.map.range(pointer));
      // Ranges never leave the file, whatever a rule computed (e.g. "unexpected end" at EOF).
      const max = doc.file.text.length;
      const start = Math.min(Math.max(0, raw.start), max);
      const range = { start, end: Math.min(Math.max(start, raw.end), max) };
      sink.push({
        code,
        message,
        file: doc.file.path,
        range,
        severity: options.severity ?? defaultSeverity(code),
        ...(options.hint ? { hint: options.hint } : {}),
      });
    },
  };
}
