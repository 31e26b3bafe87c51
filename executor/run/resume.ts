import { readFile, truncate } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { IrGraph, IrNode } from '../../ir/types.js';
import { parseAuditText } from '../audit/file-sink.js';
import { reconcileWithDb, type Reconciled } from '../audit/reconcile-db.js';
import { verifyAuditText } from '../audit/verify.js';
import { RunRefused } from '../core/errors.js';
import type { StepStatus } from '../core/events.js';
import { foldRun, isOver, type RunState } from '../run-state/fold-run.js';
import { loadGraph } from './load-graph.js';
import { childName } from '../../ir/child-runbook.js';
import { decideCompensations } from './resume-compensations.js';
import { calledOnce, nodeAt } from './resume-nested.js';
import type { ResumeState } from './resume-state.js';
import type { JournaledRollbackData } from './rollback-data.js';
import { parkedGateOf } from './parked-gate.js';

export type Decision = 'rerun' | 'skip' | 'abort';

/**
 * Rebuilds a killed run from its audit log (the journal): finished steps are restored with their
 * outputs; a step that started but never ended, or was cancelled or ended by its timeout in the
 * middle of its action, is in doubt — re-run when idempotent, otherwise an operator decides
 * (re-run, or skip because they checked it completed, or abort). Failed steps
 * simply run again, and so do steps a rollback compensated. Steps of nested runbooks
 * (`<runbook>/<step>` in the journal) follow the same rules; a `uses: runbook` step in doubt is
 * resumed without asking, because its child continues from its own journal and asks about its
 * own steps (see resume-nested.ts). A torn last line is a record whose write was never
 * acknowledged, so its action never started (journal first): it is cut off before the log is
 * continued.
 */
export async function prepareResume(o: ResumeOptions): Promise<{ name: string; state: ResumeState }> {
  if (!/^[\w.-]+$/.test(o.runId)) throw new RunRefused(`"${o.runId}" is not a run id`);
  const { records, torn, reconciled } = await readJournal(o);
  const run = foldRun(records);
  // An interrupted or failed run may be resumed; a run that succeeded or was rolled back is over.
  if (isOver(run) && run.end?.status !== 'interrupted' && run.end?.status !== 'failed')
    throw new RunRefused(`run ${o.runId} already ended (${run.end?.status}); nothing to resume`);
  const s = run.start;
  if (!s) throw new RunRefused(`run ${o.runId} has no run:start record`);
  // The resume workflow's job of one runbook (its environment, its secrets) never continues another's run.
  if (o.runbook && s.runbook !== o.runbook)
    throw new RunRefused(
      `run ${o.runId} is a run of ${s.runbook}, not of ${o.runbook}`,
      `resume it as a run of ${s.runbook}`,
    );
  const graph = loadGraph(o.root, s.runbook);
  const undoing = await decideCompensations(o, graph, run);
  const restored = new Map<string, { status: StepStatus; outputs: Record<string, unknown> }>(run.done);
  // A parked gate's step never got past its approval: it is not in doubt (nor after a resume that
  // was killed before the gate was answered: openPark outlives the run:resume).
  const waiting = (run.parked ?? run.openPark)?.stepId;
  const inDoubt = [...run.inDoubt].filter((id) => id !== waiting);
  const decisions = [...undoing, ...(await decideInDoubt(o, graph, inDoubt, restored))];
  const rollbackData = journaledRollbackData(run);
  const tail = records.at(-1)!;
  return {
    name: s.runbook,
    state: {
      runId: o.runId,
      planHash: s.planHash,
      inputs: s.inputs,
      tail: { seq: tail.seq, hash: tail.hash },
      restored,
      inDoubt,
      decisions,
      droppedTornLine: torn,
      ...(run.phasesEnded ? { phasesEnded: run.phasesEnded } : {}),
      ...(rollbackData.size ? { rollbackData: Object.fromEntries(rollbackData) } : {}),
      ...(reconciled && Object.values(reconciled).some((n) => n > 0) ? { reconciled } : {}),
      commit: tail.commit,
      masks: run.masks,
      parked: parkedGateOf(records, run),
    },
  };
}

interface ResumeOptions {
  root: string;
  runId: string;
  by: string;
  /** The audit database, the journal of record: the file is reconciled with it first (see reconcile-db.ts). */
  auditDb?: string;
  decide: (node: IrNode) => Promise<Decision>;
  /** The runbook the run must be of (`--runbook`), else any. */
  runbook?: string;
  /** Called when reconciling with the audit database changed the local file (before any decision). */
  onReconciled?: (r: Reconciled) => void;
}

/**
 * The run's journal, its torn last line cut off, reconciled with the audit database (which wins,
 * and may be the only copy: a resume on another machine), verified.
 */
async function readJournal(o: ResumeOptions) {
  const path = join(o.root, '.runbook', 'runs', o.runId, 'audit.jsonl');
  const torn = await cutTornLine(path, !o.auditDb);
  const reconciled = o.auditDb ? await reconcileWithDb(path, o.auditDb, o.runId) : undefined;
  // Told at once: a resume refused later (a decision missing) has still changed the local copy.
  if (reconciled && Object.values(reconciled).some((n) => n > 0)) o.onReconciled?.(reconciled);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new RunRefused(
      `no run ${o.runId} (${path} not found${o.auditDb ? ', and the audit database holds no record of it' : ''})`,
      o.auditDb ? 'runs are listed by `runbook runs --audit-db URL`' : 'runs are listed under .runbook/runs/',
    );
  }
  const file = parseAuditText(text);
  const check = verifyAuditText(text);
  if (!check.ok)
    throw new RunRefused(
      `the audit log of ${o.runId} does not verify: ${check.firstBad?.reason}`,
      'a tampered journal cannot be resumed; investigate with `runbook audit verify`',
    );
  return { records: file.records, torn, reconciled };
}

/** Cuts a torn last line (a record never acknowledged) off the file; whether there was one. */
async function cutTornLine(path: string, required: boolean): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    // With a database, a missing local copy is rebuilt from it (reconcile-db.ts).
    if (!required && (e as { code?: string }).code === 'ENOENT') return false;
    throw new RunRefused(
      `no run ${basename(dirname(path))} (${path} not found)`,
      'runs are listed under .runbook/runs/',
    );
  }
  const torn = !text.endsWith('\n') && text.length > 0;
  if (torn) await truncate(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
  return torn;
}

/** Asks about each in-doubt step (or applies a policy); a "skip" restores the step as succeeded. */
async function decideInDoubt(
  o: ResumeOptions,
  graph: IrGraph,
  inDoubt: readonly string[],
  restored: Map<string, { status: StepStatus; outputs: Record<string, unknown> }>,
): Promise<ResumeState['decisions']> {
  const decisions: ResumeState['decisions'] = [];
  for (const id of inDoubt) {
    const at = nodeAt(o.root, graph, id);
    // A step of a child that is not restored (called twice) runs again with its whole child.
    if (!at || (at.nested && !at.restorable)) continue;
    const policy = policyFor(at);
    const decision: Decision = policy ? 'rerun' : await o.decide(at.nested ? { ...at.node, id } : at.node);
    decisions.push({ stepId: id, decision, by: policy ?? o.by });
    if (decision === 'abort') throw new RunRefused(`resume of ${o.runId} aborted at in-doubt step ${id}`);
    if (decision === 'skip') restored.set(id, { status: 'succeeded', outputs: {} });
  }
  return decisions;
}

/** Why an in-doubt step re-runs without asking, or undefined when an operator decides. */
function policyFor(at: NonNullable<ReturnType<typeof nodeAt>>): string | undefined {
  if (at.node.idempotent) return 'policy: idempotent step';
  const child = childName(at.node);
  if (child && at.restorable && calledOnce(at.graph, child)) return 'policy: nested runbook resumes from its journal';
  return undefined;
}

/** The rollback data each step journaled before its effect, unless a rollback undid the step since. */
function journaledRollbackData(run: RunState): Map<string, JournaledRollbackData> {
  const out = new Map<string, JournaledRollbackData>();
  for (const step of run.steps.values()) if (step.rollbackData) out.set(step.id, step.rollbackData);
  return out;
}
