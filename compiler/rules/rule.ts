import type { ActionInfo } from '../actions/catalog.js';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { DrillFacts } from '../project/drill-facts.js';
import type { Dependencies } from '../graph/dependencies.js';
import type { LoadedDoc } from '../load/loaded-doc.js';
import type { BackupPlanDocData, DirectoryDocData, RunbookDocData, TemplateDocData } from '../model/specs.js';
import type { Project } from '../project/project.js';
import type { Range } from '../source/source-file.js';

/** A runbook that passed its schema, with its dependency structure. */
export interface RunbookUnit {
  readonly doc: LoadedDoc;
  readonly data: RunbookDocData;
  readonly deps: Dependencies;
  /** Set when the graph was lowered from a BackupPlan (pointers then map into the plan). */
  readonly loweredFrom?: LoadedDoc;
}

export interface ReportOptions {
  readonly hint?: string;
  readonly severity?: Severity;
  /** Point at the key instead of the value (for "unknown field"-style findings). */
  readonly key?: boolean;
  /** Point at this substring of the value (e.g. one `{{ }}` expression). */
  readonly needle?: string;
  /** Which occurrence of `needle` (0-based). */
  readonly occurrence?: number;
  /** An exact range, overriding the pointer lookup. */
  readonly range?: Range;
  /**
   * Point at `text[start, end)`, where `text` is the value at the pointer (e.g. one `{{ }}` of a
   * parameter). Located lazily and in constant time when the value is written verbatim, so a
   * value with thousands of findings stays linear (SourceMap.rangeWithin).
   */
  readonly within?: { readonly text: string; readonly start: number; readonly end: number };
}

export interface RuleContext {
  readonly project: Project;
  readonly catalog: ReadonlyMap<string, ActionInfo>;
  /** Runbooks (including lowered BackupPlans) whose documents passed their schema. */
  readonly runbooks: readonly RunbookUnit[];
  readonly templates: ReadonlyMap<string, { doc: LoadedDoc; data: TemplateDocData }>;
  readonly backupPlans: readonly { doc: LoadedDoc; data: BackupPlanDocData }[];
  readonly directory?: { doc: LoadedDoc; data: DirectoryDocData };
  /** Drill records and the freshness reference date (compiler/project/drill-facts.ts); absent in contexts built by hand. */
  readonly drills?: DrillFacts;
  /** Documents of a kind that passed their schema. */
  valid(kind: LoadedDoc['kind']): LoadedDoc[];
  report(doc: LoadedDoc, pointer: string, code: DiagnosticCode, message: string, options?: ReportOptions): void;
}

/**
 * A semantic rule: one file each under `compiler/rules/`, listed in `index.ts`. `codes` are the
 * diagnostic codes it may report (each documented in `diagnostics/codes.ts`).
 */
export interface Rule {
  readonly id: string;
  readonly codes: readonly DiagnosticCode[];
  readonly docs: string;
  check(ctx: RuleContext): void;
}

export type { Diagnostic };
