import { join } from 'node:path';
import { createDbJournalSink } from '../audit/db-journal-sink.js';
import { createFileSink } from '../audit/file-sink.js';
import { createPgAnchorSink } from '../audit/pg-anchors.js';
import { createPgSink } from '../audit/pg-sink.js';
import { createAuditLog, type AuditLog, type AuditSink } from '../audit/record.js';
import type { RunEvents } from '../core/events.js';
import type { SecretMasker } from '../core/secrets.js';
import { describeFault } from '../drill/faults.js';
import type { PreparedRun } from './run-prepare.js';
import type { RunOptions } from './run-options.js';
import type { RunLock } from './run-lock.js';
import { runOrigin } from './run-origin.js';

export type RunAudit = AuditLog;

/**
 * The run's audit log (its journal): the file under `.runbook/runs/<id>/`, the audit database and
 * its anchors when there is one, extra sinks, and the progress view. With a database, it is the
 * journal of record: every record is committed there before `emit` resolves (an outage holds the
 * run, then stops it: see db-journal-sink.ts), and the file is the local copy.
 */
export function openRunAudit(
  o: RunOptions,
  p: PreparedRun,
  masker: SecretMasker,
  notice: (message: string) => void,
): { audit: RunAudit; auditPath: string } {
  const auditPath = join(o.root, '.runbook', 'runs', p.runId, 'audit.jsonl');
  const sinks: AuditSink[] = [createFileSink({ path: auditPath, runId: p.runId })];
  const auditDb = o.auditDb;
  if (auditDb) {
    const retryMs = p.auditDbRetryMs;
    sinks.push(createDbJournalSink({ open: () => createPgSink({ url: auditDb }), retryMs, notice }));
    sinks.push(createPgAnchorSink({ url: auditDb }));
  }
  sinks.push(...(o.extraSinks ?? []));
  if (o.onRecord) sinks.push({ name: 'progress', write: async (records) => records.forEach((r) => o.onRecord!(r)) });
  const audit = createAuditLog({
    runId: p.runId,
    runbook: p.graph.name,
    planHash: p.planHash,
    commit: o.commit,
    actor: o.initiator,
    sinks,
    masker,
    ...(o.resume ? { continueFrom: o.resume.tail } : {}),
    ...(p.signer ? { sign: p.signer.sign } : {}),
  });
  return { audit, auditPath };
}

/** `run:resume` for a resumed run, else `run:start`; then the operator's decisions on in-doubt steps. */
export async function journalStart(
  o: RunOptions,
  p: PreparedRun,
  audit: RunAudit,
  lockTakenOver: RunLock['takenOver'],
): Promise<void> {
  const takeover = lockTakenOver ? { lockTakenOver } : {};
  if (o.resume)
    await audit.emit('run:resume', {
      by: o.initiator,
      completed: [...o.resume.restored.keys()],
      inDoubt: o.resume.inDoubt,
      ...(o.resume.droppedTornLine ? { droppedTornLine: true } : {}),
      ...(o.resume.reconciled ? { reconciled: o.resume.reconciled } : {}),
      ...takeover,
    });
  else await audit.emit('run:start', runStartData(o, p, takeover));
  for (const d of o.resume?.decisions ?? []) await audit.emit('operator:decision', d);
}

function runStartData(o: RunOptions, p: PreparedRun, takeover: object) {
  const { graph } = p;
  return {
    runbook: graph.name,
    title: graph.title,
    planHash: p.planHash,
    ...(o.commit ? { commit: o.commit } : {}),
    initiator: o.initiator,
    inputs: p.inputs,
    dryRun: o.dryRun,
    drill: o.drill === true,
    objectives: graph.objectives,
    ...(o.drill && o.drillNotifiesCustomers ? { drillNotifiesCustomers: true } : {}),
    phases: graph.phases.map((ph) => ({
      id: ph.id,
      steps: ph.steps,
      ...(ph.budgetMs !== undefined ? { budgetMs: ph.budgetMs } : {}),
    })),
    ...(o.faults?.size ? { faults: Object.fromEntries([...o.faults].map(([k, f]) => [k, describeFault(f)])) } : {}),
    ...runOrigin(o.env),
    ...takeover,
    ...(o.trackingIssue ? { trackingIssue: { number: o.trackingIssue.number, url: o.trackingIssue.url } } : {}),
    environment: environmentOf(o, p),
  };
}

/** The caller's environment (`--environment`, the demo), else the runbook's, else none named. */
function environmentOf(o: RunOptions, p: PreparedRun): RunEvents['run:start']['environment'] {
  if (o.environment) return { name: o.environment.name, source: o.environment.source };
  return p.graph.environment ? { name: p.graph.environment, source: 'runbook' } : { source: 'none' };
}

/**
 * The checks that may refuse a journaled run before its first step: `beforeSteps` (run requests)
 * and an unusable approvals file. Either refusal is written to the journal before it is thrown.
 */
export async function refuseBeforeSteps(o: RunOptions, p: PreparedRun, audit: RunAudit, started: number) {
  const durationMs = () => p.clock.now() - started;
  if (o.beforeSteps && !o.resume) {
    try {
      await o.beforeSteps({ events: audit, graph: p.graph, planHash: p.planHash });
    } catch (e) {
      // A refusal is part of the record: the journal ends with it, never dangles.
      await audit.emit('run:end', { status: 'refused', durationMs: durationMs(), error: (e as Error).message });
      throw e;
    }
  }
  // After beforeSteps: the run is journaled (and its id announced) before it is refused.
  if (o.approvalsError) {
    await audit.emit('approval:refused', { stepId: '*', source: 'approvals-file', reason: o.approvalsError.message });
    // A resumed run stays resumable once the file is fixed: only a new run ends here.
    if (!o.resume)
      await audit.emit('run:end', { status: 'refused', durationMs: durationMs(), error: o.approvalsError.message });
    throw o.approvalsError;
  }
}
