import { childGraphHashes, runModeOf, runPlanHash } from '../../ir/plan-hash.js';
import type { IrGraph } from '../../ir/types.js';
import type { LoadedDoc } from './loaded-doc.js';
import { resolveRequestInputs } from './run-request-inputs.js';

/**
 * RunRequest: `runs/<yyyy-mm-dd>-<slug>.yaml`, a request to run a runbook proposed in a pull
 * request. Its approving reviews are the run's approvals; on merge a workflow runs it. It builds no
 * graph: the compiler checks it against its runbook and computes the plan hash reviewers approve.
 */

/** The document as `schemas/run-request.schema.json` validates it. */
export interface RunRequestDocData {
  readonly apiVersion: 'runbook/v1';
  readonly kind: 'RunRequest';
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly runbook: string;
    readonly inputs?: Readonly<Record<string, string | number | boolean>>;
    readonly reason: string;
    readonly drill?: boolean;
    readonly dryRun?: boolean;
  };
}

/** A RunRequest as `CompileResult.runRequests` exposes it (for the plan comment and the executor). */
export interface RunRequestInfo {
  /** Path from the repository root, e.g. `runs/2026-03-14-failover.yaml`. */
  readonly file: string;
  readonly name: string;
  readonly runbook: string;
  /** Inputs as written in the file. */
  readonly requested: Readonly<Record<string, string | number | boolean>>;
  /** Typed inputs with defaults applied, exactly as the executor resolves them. */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly reason: string;
  readonly drill: boolean;
  readonly dryRun: boolean;
  /**
   * `runPlanHash(…)`: the plan hash the executor will compute for this request (its mode, its
   * child runbooks' graphs included). Absent
   * when the runbook has no graph (unknown, or its file has errors) or the inputs are invalid.
   */
  readonly planHash?: string;
}

/** The folder of run requests, at the repository root. */
export const runRequestsDir = 'runs';

/** `<yyyy-mm-dd>-<kebab-slug>`: the date first, so `ls runs/` reads as a history. */
export const runRequestName = /^(\d{4})-(\d{2})-(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** True for a real calendar date in a name matching `runRequestName` (no 2026-02-30). */
export function hasValidDate(name: string): boolean {
  const m = runRequestName.exec(name);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * The run requests of a compiled tree, sorted by file. `graphs` are the compiled graphs; a request
 * whose runbook has none gets no plan hash.
 */
export function runRequestsOf(docs: readonly LoadedDoc[], graphs: readonly IrGraph[]): RunRequestInfo[] {
  const byName = new Map(graphs.map((g) => [g.name, g]));
  return docs
    .map((doc) => {
      const data = doc.data as unknown as RunRequestDocData;
      const requested = data.spec.inputs ?? {};
      const graph = byName.get(data.spec.runbook);
      const resolved = graph ? resolveRequestInputs(graph.inputs, requested) : undefined;
      const ok = graph && resolved && resolved.problems.length === 0;
      return {
        file: doc.file.path,
        name: data.metadata.name,
        runbook: data.spec.runbook,
        requested,
        inputs: resolved?.values ?? {},
        reason: data.spec.reason,
        drill: data.spec.drill === true,
        dryRun: data.spec.dryRun === true,
        ...(ok
          ? {
              planHash: runPlanHash(graph, resolved.values, {
                mode: runModeOf({ dryRun: data.spec.dryRun === true, drill: data.spec.drill === true }),
                children: childGraphHashes(graph, (name) => byName.get(name)),
              }),
            }
          : {}),
      };
    })
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
