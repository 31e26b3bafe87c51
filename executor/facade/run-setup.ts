import type { StepLogger } from '../actions/action.js';
import { ApprovalsFileError, readApprovalsFile, type ApprovalsFile } from '../approvals/approvals-file.js';
import type { AuditRecord } from '../audit/record.js';
import { shortSecretNames, shortSecretWarning } from '../core/short-secrets.js';
import { plainProgress } from '../progress/plain.js';
import { ttyProgress, type TtyProgress } from '../progress/tty.js';
import { loadGraph } from '../run/load-graph.js';
import { reachableGraphs } from '../run/subgraph.js';

/**
 * The approvals file, or why it cannot be used: the run then starts only to record the refusal in
 * its audit log (run:start, approval:refused, run:end refused), so no refusal goes unaudited.
 */
export function readApprovals(path: string | undefined): { file: ApprovalsFile; error?: ApprovalsFileError } {
  if (!path) return { file: { approvals: [] } };
  try {
    return { file: readApprovalsFile(path) };
  } catch (e) {
    if (e instanceof ApprovalsFileError) return { file: { approvals: [] }, error: e };
    throw e;
  }
}

export interface RunProgress {
  onRecord(record: AuditRecord): void;
  logger(stepId: string): StepLogger;
  /** The live terminal view, when stderr is a terminal (and records are not streamed as JSON). */
  readonly tty?: TtyProgress;
}

/** A live frame on a terminal, else one plain line per event on stderr (CI logs, pipes). */
export function runProgress(o: { json?: boolean; interactive: boolean }): RunProgress {
  if (process.stderr.isTTY === true && !o.json) {
    const tty = ttyProgress(process.stderr, { interactive: o.interactive });
    return { onRecord: (r) => tty.onRecord(r), logger: (id) => tty.logger(id), tty };
  }
  return plainProgress((line) => process.stderr.write(line + '\n'));
}

/**
 * Preflight: a secret whose value is shorter than 4 characters cannot be masked, so say so, by
 * name, before any step runs. A graph that cannot be loaded is left for the run to refuse.
 */
export function shortSecretWarnings(root: string, name: string, env: NodeJS.ProcessEnv): string[] {
  let graphs;
  try {
    graphs = reachableGraphs(root, loadGraph(root, name));
  } catch {
    return [];
  }
  return shortSecretNames(graphs.values(), env).map(shortSecretWarning);
}

/**
 * Inputs from `RUNBOOK_INPUT_<NAME>` variables: generated workflows pass workflow_dispatch inputs
 * only through `env:` (never `${{ }}` in a script). An empty value is an unset optional input.
 */
export function inputsFromEnv(root: string, name: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const input of Object.keys(loadGraph(root, name).inputs)) {
    const v = env[`RUNBOOK_INPUT_${input.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
    if (v !== undefined && v !== '') out[input] = v;
  }
  return out;
}
