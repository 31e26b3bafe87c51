import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { IrNode } from '../../ir/types.js';
import { parseAuditText } from '../audit/file-sink.js';
import type { AuditRecord } from '../audit/record.js';
import { reconcileWithDb } from '../audit/reconcile-db.js';
import { verifyRecords } from '../audit/verify.js';
import { RunRefused } from '../core/errors.js';
import type { RunEvents, RunStatus, StepStatus } from '../core/events.js';
import { loadGraph } from './load-graph.js';
import { childName } from '../../ir/child-runbook.js';
import { calledOnce, nodeAt } from './resume-nested.js';
import type { ResumeState } from './resume-state.js';
import type { JournaledRollbackData } from './rollback-data.js';

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
export async function prepareResume(o: {
  root: string;
  runId: string;
  by: string;
  /** The audit database: its copy and the file are reconciled first (see reconcile-db.ts). */
  auditDb?: string;
  decide: (node: IrNode) => Promise<Decision>;
}): Promise<{ name: string; state: ResumeState }> {
  if (!/^[\w.-]+$/.test(o.runId)) throw new RunRefused(`"${o.runId}" is not a run id`);
  const path = join(o.root, '.runbook', 'runs', o.runId, 'audit.jsonl');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new RunRefused(`no run ${o.runId} (${path} not found)`, 'runs are listed under .runbook/runs/');
  }
  const torn = !text.endsWith('\n') && text.length > 0;
  if (torn) {
    const keep = text.lastIndexOf('\n') + 1;
    await truncate(path, Buffer.byteLength(text.slice(0, keep)));
    text = text.slice(0, keep);
  }
  const reconciled = o.auditDb ? await reconcileWithDb(path, o.auditDb) : undefined;
  if (reconciled?.appended) text = await readFile(path, 'utf8');
  const file = parseAuditText(text);
  const check = verifyRecords(file.records, { lines: file.lines, problems: file.problems, lineCount: file.lineCount });
  if (!check.ok)
    throw new RunRefused(
      `the audit log of ${o.runId} does not verify: ${check.firstBad?.reason}`,
      'a tampered journal cannot be resumed; investigate with `runbook audit verify`',
    );
  // An interrupted or failed run may be resumed; a run that succeeded or was rolled back is over.
  const lastEnd = [...file.records].reverse().find((r) => r.type === 'run:end' || r.type === 'run:resume');
  if (lastEnd?.type === 'run:end') {
    const end = lastEnd.data as RunEvents['run:end'];
    if (end.status !== 'interrupted' && end.status !== 'failed')
      throw new RunRefused(`run ${o.runId} already ended (${end.status}); nothing to resume`);
  }
  const start = file.records.find((r) => r.type === 'run:start');
  if (!start) throw new RunRefused(`run ${o.runId} has no run:start record`);
  const s = start.data as RunEvents['run:start'];
  const graph = loadGraph(o.root, s.runbook);
  const { restored, open, phasesEnded, rollbackData } = replay(
    file.records,
    new Set(graph.nodes.filter((n) => n.finally).map((n) => n.id)),
  );
  const inDoubt = [...open];
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
  const tail = file.records.at(-1)!;
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
      ...(phasesEnded ? { phasesEnded } : {}),
      ...(rollbackData.size ? { rollbackData: Object.fromEntries(rollbackData) } : {}),
      ...(reconciled && (reconciled.appended || reconciled.backfilled) ? { reconciled } : {}),
      masks: file.records.filter((r) => r.type === 'mask:add').flatMap((r) => (r.data as RunEvents['mask:add']).forms),
    },
  };
}

/** Why an in-doubt step re-runs without asking, or undefined when an operator decides. */
function policyFor(at: NonNullable<ReturnType<typeof nodeAt>>): string | undefined {
  if (at.node.idempotent) return 'policy: idempotent step';
  const child = childName(at.node);
  if (child && at.restorable && calledOnce(at.graph, child)) return 'policy: nested runbook resumes from its journal';
  return undefined;
}

/**
 * Walks the records: the last outcome of every step, the steps started but not ended, and the
 * phases' outcome when the run was killed inside `finally` (its `phase:start` carries it), and
 * the rollback data each step journaled before its effect (unless a rollback undid the step since).
 */
function replay(records: readonly AuditRecord[], finals: ReadonlySet<string>) {
  const restored = new Map<string, { status: StepStatus; outputs: Record<string, unknown> }>();
  const open = new Set<string>();
  let phasesEnded: { status: RunStatus; failed: string[] } | undefined;
  const rollbackData = new Map<string, JournaledRollbackData>();
  for (const r of records) {
    if (r.type === 'step:rollback-data') {
      const d = r.data as RunEvents['step:rollback-data'];
      rollbackData.set(d.stepId, { data: d.data, digest: d.digest });
    }
    if (r.type === 'phase:start') {
      const p = r.data as RunEvents['phase:start'];
      if (p.phaseId === 'finally' && p.runStatus) phasesEnded = { status: p.runStatus, failed: p.failed ?? [] };
    }
    // A run that ended (failed) and is resumed runs its phases again, then its finally steps
    // afresh for the new outcome; an interrupted one continues where it stopped.
    if (r.type === 'run:end' && (r.data as RunEvents['run:end']).status !== 'interrupted') {
      phasesEnded = undefined;
      for (const id of finals) {
        restored.delete(id);
        open.delete(id);
      }
    }
    if (r.type === 'step:start') open.add((r.data as RunEvents['step:start']).stepId);
    // An operator who said "skip" (it completed) at an earlier resume is not asked again after
    // another crash: the decision is in the journal, and nothing about the step changed since.
    if (r.type === 'operator:decision') {
      const d = r.data as RunEvents['operator:decision'];
      if (d.decision === 'skip' && open.delete(d.stepId)) restored.set(d.stepId, { status: 'succeeded', outputs: {} });
    }
    // A rollback undid the step's effect: it is no longer done, and a resume does it again.
    // Its rollback data too: a re-run starts from the restored state.
    if (r.type === 'rollback:step' && (r.data as RunEvents['rollback:step']).status === 'succeeded') {
      restored.delete((r.data as RunEvents['rollback:step']).stepId);
      rollbackData.delete((r.data as RunEvents['rollback:step']).stepId);
    }
    if (r.type !== 'step:end') continue;
    const e = r.data as RunEvents['step:end'];
    open.delete(e.stepId);
    if (e.status === 'succeeded' || e.status === 'skipped')
      restored.set(e.stepId, { status: e.status, outputs: e.outputs ?? {} });
    // Interrupted or killed by its timeout mid-action: whether the effect happened is unknown.
    else if (e.status === 'cancelled' || e.status === 'timed-out') open.add(e.stepId);
    else restored.delete(e.stepId);
  }
  return { restored, open, phasesEnded, rollbackData };
}
