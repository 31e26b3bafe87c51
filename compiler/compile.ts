import type { IrGraph } from '../ir/types.js';
import { actionCatalog } from './actions/catalog.js';
import { dedupeDiagnostics, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import { defaultSeverity } from './diagnostics/codes.js';
import { graphOf } from './graph/build-graph.js';
import { resolveDependencies } from './graph/dependencies.js';
import { lowerBackupPlan } from './graph/lower-backup-plan.js';
import type { LoadedDoc } from './load/loaded-doc.js';
import { docName } from './load/loaded-doc.js';
import { runRequestsDir, runRequestsOf, type RunRequestInfo } from './load/run-request.js';
import type { BackupPlanDocData, DirectoryDocData, RunbookDocData, TemplateDocData } from './model/specs.js';
import { buildProject, type Project } from './project/project.js';
import { readTree } from './project/read-tree.js';
import { rules } from './rules/index.js';
import type { RuleContext, RunbookUnit } from './rules/rule.js';
import type { SourceFile } from './source/source-file.js';
import { validateDocs } from './validate/validate-docs.js';
import { withTemplateCache } from './expressions/parse-template.js';

export interface CompileResult {
  readonly project: Project;
  readonly context: RuleContext;
  /** Sorted, deduplicated. */
  readonly diagnostics: Diagnostic[];
  /** One per runbook (and lowered BackupPlan) whose file has no errors, sorted by name. */
  readonly graphs: IrGraph[];
  /** Schema-valid RunRequests (runs/), sorted by file, with the plan hash each will run. */
  readonly runRequests: RunRequestInfo[];
}

/** Default locations of the runbook tree inside a repository. */
export const defaultPaths = ['runbooks', runRequestsDir];

/** Default locations that may be missing: most repositories start without run requests. */
export const optionalPaths = [runRequestsDir];

/** Reads the tree and compiles it. The only I/O is reading files. */
export function compileTree(root: string, paths: readonly string[] = defaultPaths): CompileResult {
  const tree = readTree(root, paths, optionalPaths);
  const result = compileFiles(tree.files);
  const diagnostics = sortDiagnostics([...tree.diagnostics, ...result.diagnostics]);
  return { ...result, diagnostics };
}

/** Pure compilation of in-memory files: load → validate → rules → graphs. */
export function compileFiles(files: readonly SourceFile[]): CompileResult {
  // Rules parse many of the same template strings; parse each once per compile.
  return withTemplateCache(() => compileUncached(files));
}

function compileUncached(files: readonly SourceFile[]): CompileResult {
  const { project, diagnostics } = buildProject(files);
  const checked = validateDocs(project.docs);
  diagnostics.push(...checked.diagnostics);
  const context = createContext(project, checked.valid, diagnostics);
  for (const rule of rules) rule.check(context);
  const clean = dedupeDiagnostics(diagnostics);
  const failing = new Set(clean.filter((d) => d.severity === 'error').map((d) => d.file));
  const graphs = context.runbooks
    .filter((unit) => !failing.has(unit.doc.file.path))
    .map((unit) => graphOf(unit, context))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const runRequests = runRequestsOf(context.valid('RunRequest'), graphs);
  return { project, context, diagnostics: sortDiagnostics(clean), graphs, runRequests };
}

function createContext(project: Project, valid: Set<LoadedDoc>, sink: Diagnostic[]): RuleContext {
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
  const dirDoc = project.directory && valid.has(project.directory) ? project.directory : undefined;
  return {
    project,
    catalog: actionCatalog(),
    runbooks,
    templates,
    backupPlans,
    directory: dirDoc ? { doc: dirDoc, data: dirDoc.data as unknown as DirectoryDocData } : undefined,
    valid: validOf,
    report(doc, pointer, code, message, options = {}) {
      const raw = options.range
        ?? (options.needle !== undefined ? doc.map.rangeOf(pointer, options.needle, options.occurrence ?? 0)
          : options.key ? doc.map.keyRange(pointer) : doc.map.range(pointer));
      // Ranges never leave the file, whatever a rule computed (e.g. "unexpected end" at EOF).
      const max = doc.file.text.length;
      const start = Math.min(Math.max(0, raw.start), max);
      const range = { start, end: Math.min(Math.max(start, raw.end), max) };
      sink.push({
        code, message, file: doc.file.path, range,
        severity: options.severity ?? defaultSeverity(code),
        ...(options.hint ? { hint: options.hint } : {}),
      });
    },
  };
}
