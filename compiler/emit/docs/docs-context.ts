import type { SharedList } from '../../parallel/share.js';
import type { CompileResult } from '../../compile.js';
import type { IrGraph } from '../../../ir/types.js';
import { hasTemplate } from '../../expressions/parse-template.js';
import type { ChecklistSection } from '../../load/loaded-doc.js';
import type { BackupPlanSpec, DirectorySpec, Metadata } from '../../model/specs.js';
import { createLinker, type GraphRef, type LinkStyle, type Linker } from './links.js';
import { drillViews, type DrillsView } from './drill-docs.js';
import { referencedValue } from '../../../common/actions-catalog/index.js';

/**
 * What the page of one graph (a Runbook or a lowered BackupPlan) reads besides the graph itself.
 * Lookups rather than the compile result, so that a worker thread can answer them from a
 * snapshot (see `graphPageSnapshot`) and build the same page.
 */
export interface GraphPageContext {
  readonly links: Linker;
  /** The link style, for links that leave the pages (workflow files: `workflowLink`). */
  readonly linkStyle: LinkStyle;
  /** The Directory's spec, when the tree has a valid one. */
  readonly directory?: DirectorySpec;
  /** The Checklist document of this name (the first of a duplicated name), if any. */
  checklist(name: string): { readonly sections?: readonly ChecklistSection[] } | undefined;
  /** Whether a valid Template of this name exists. */
  hasTemplateNamed(name: string): boolean;
  /** The Runbook graph of this name (the first, in the result's order). */
  runbook(name: string): GraphRef | undefined;
  /** The spec of the valid BackupPlan of this name (the first). */
  backupPlan(name: string): BackupPlanSpec | undefined;
  /** drills: what the drill records say about the Runbook of this name (drill-docs.ts). */
  drills(name: string): DrillsView | undefined;
  /** The `metadata.whenToUse` of the graph's document (docs only: not in the graph, nor its hash). */
  whenToUse(graph: GraphRef): string | undefined;
}

/** What every page builder reads: the compile result, the linker of the chosen style, the Directory. */
export interface DocsContext extends GraphPageContext {
  readonly result: CompileResult;
}

export function createDocsContext(result: CompileResult, style: LinkStyle): DocsContext {
  const runbooks = firstByName(
    result.graphs.filter((g) => g.origin.kind === 'Runbook'),
    (g) => g.name,
  );
  const plans = firstByName(result.context.backupPlans, (p) => p.data.metadata.name);
  const drills = drillViews(result);
  return {
    result,
    links: createLinker(style),
    linkStyle: style,
    ...(result.context.directory ? { directory: result.context.directory.data.spec } : {}),
    checklist: (name) => result.project.byName('Checklist', name),
    hasTemplateNamed: (name) => result.context.templates.has(name),
    runbook: (name) => runbooks.get(name),
    backupPlan: (name) => plans.get(name)?.data.spec,
    drills: (name) => drills.get(name),
    whenToUse: (graph) => whenToUseOf(result, graph),
  };
}

function whenToUseOf(result: CompileResult, graph: GraphRef): string | undefined {
  const meta = result.project.byName(graph.origin.kind, graph.name)?.data.metadata as Metadata | undefined;
  return typeof meta?.whenToUse === 'string' ? meta.whenToUse : undefined;
}

/** The first item of each name, as `Array.prototype.find` by name would return it. */
function firstByName<T>(items: readonly T[], name: (item: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) if (!out.has(name(item))) out.set(name(item), item);
  return out;
}

/** Graphs with a step whose `x-references` param names the `kind` called `name` (who uses a Checklist or Template). */
export function usersOf(ctx: DocsContext, kind: 'Checklist' | 'Template', name: string): IrGraph[] {
  return ctx.result.graphs.filter((g) => g.nodes.some((n) => referencedValue(n, kind) === name));
}

/**
 * Every answer the pages of `graphs` can ask of a `GraphPageContext`, as plain data a worker
 * thread can receive (structured clone). `graphPageContext` turns it back into a context.
 */
export interface GraphPageSnapshot {
  readonly style: LinkStyle;
  readonly directory?: DirectorySpec;
  /** Checklist names used by the graphs' steps, with the document's sections (null: no such Checklist). */
  readonly checklists: [string, { readonly sections?: readonly ChecklistSection[] } | null][];
  readonly templates: string[];
  readonly runbooks: [string, GraphRef][];
  readonly backupPlans: [string, BackupPlanSpec][];
  /** drills: the drill view of each Runbook graph. */
  readonly drills: [string, DrillsView][];
  /** `Kind/name` → `metadata.whenToUse`, for the graphs that have one. */
  readonly whenToUse: [string, string][];
}

export function graphPageSnapshot(ctx: DocsContext, style: LinkStyle, graphs: readonly IrGraph[]): GraphPageSnapshot {
  const checklists = new Map<string, { readonly sections?: readonly ChecklistSection[] } | null>();
  for (const graph of graphs) {
    for (const node of graph.nodes) {
      const name = referencedValue(node, 'Checklist');
      if (typeof name !== 'string' || hasTemplate(name) || checklists.has(name)) continue;
      const doc = ctx.checklist(name);
      checklists.set(name, doc ? (doc.sections ? { sections: doc.sections } : {}) : null);
    }
  }
  const result = ctx.result;
  return {
    style,
    ...(ctx.directory ? { directory: ctx.directory } : {}),
    checklists: [...checklists],
    templates: [...result.context.templates.keys()],
    runbooks: result.graphs
      .filter((g) => g.origin.kind === 'Runbook' && ctx.runbook(g.name) === g)
      .map((g) => [g.name, { name: g.name, title: g.title, origin: g.origin }]),
    backupPlans: result.context.backupPlans
      .filter((p) => ctx.backupPlan(p.data.metadata.name) === p.data.spec)
      .map((p) => [p.data.metadata.name, p.data.spec]),
    drills: graphs.flatMap((g): [string, DrillsView][] => {
      const view = g.origin.kind === 'Runbook' ? ctx.drills(g.name) : undefined;
      return view ? [[g.name, view]] : [];
    }),
    whenToUse: graphs.flatMap((g): [string, string][] => {
      const text = ctx.whenToUse(g);
      return text === undefined ? [] : [[`${g.origin.kind}/${g.name}`, text]];
    }),
  };
}

/** A `GraphPageContext` answering from a snapshot (in a worker thread). */
export function graphPageContext(snapshot: GraphPageSnapshot): GraphPageContext {
  const checklists = new Map(snapshot.checklists);
  const templates = new Set(snapshot.templates);
  const runbooks = new Map(snapshot.runbooks);
  const plans = new Map(snapshot.backupPlans);
  const drills = new Map(snapshot.drills);
  const whenToUse = new Map(snapshot.whenToUse);
  return {
    links: createLinker(snapshot.style),
    linkStyle: snapshot.style,
    ...(snapshot.directory ? { directory: snapshot.directory } : {}),
    checklist: (name) => checklists.get(name) ?? undefined,
    hasTemplateNamed: (name) => templates.has(name),
    runbook: (name) => runbooks.get(name),
    backupPlan: (name) => plans.get(name),
    drills: (name) => drills.get(name),
    whenToUse: (graph) => whenToUse.get(`${graph.origin.kind}/${graph.name}`),
  };
}

/** The `graph-pages` job: item `i` is the page of graph `indices[i]` of the shared list. */
export interface GraphPagesPayload {
  readonly snapshot: GraphPageSnapshot;
  readonly graphs: SharedList;
  readonly indices: readonly number[];
}
