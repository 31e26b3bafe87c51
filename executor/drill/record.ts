import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { keepLessonsLearned } from '../report/index.js';
import { dirname, join } from 'node:path';
import { drillRecordsDir, drillReportsDir, type DrillRecord } from '../../ir/drill-record.js';
import type { IrGraph } from '../../ir/types.js';
import type { AuditRecord } from '../audit/record.js';
import { summarizeAudit } from '../audit/summary.js';
import type { RunEvents } from '../core/events.js';
import type { RunOutcome } from '../run/run-runbook.js';

/**
 * The measured RPO: the last value of a step output named `rpoSeconds` (the runbook's probe, e.g.
 * the replication lag before promotion or the age of the newest restored row), in milliseconds.
 */
export function measuredRpo(records: readonly AuditRecord[]): { ms: number; probe: string } | undefined {
  let found: { ms: number; probe: string } | undefined;
  for (const r of records) {
    if (r.type !== 'step:end') continue;
    const d = r.data as RunEvents['step:end'];
    const v = d.outputs?.rpoSeconds;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n)) found = { ms: Math.round(n * 1000), probe: d.stepId };
  }
  return found;
}

/** Builds the record of a finished drill from its audit log. */
export function drillRecordOf(o: { outcome: RunOutcome; records: readonly AuditRecord[]; graph: IrGraph; faults: Record<string, string>; reportPath: string }): DrillRecord {
  const s = summarizeAudit(o.records);
  const rpo = measuredRpo(o.records);
  const rpoObjective = o.graph.objectives.rpoMs;
  return {
    recordVersion: 1, runId: o.outcome.runId, runbook: o.graph.name, graphHash: o.graph.planHash, planHash: o.outcome.planHash,
    startedAt: s.startedAt, endedAt: s.endedAt ?? s.startedAt, mode: s.dryRun ? 'dry-run' : 'live',
    status: o.outcome.status, initiator: s.initiator ?? s.actor, faults: o.faults,
    rto: {
      ...(s.rto.objectiveMs !== undefined ? { objectiveMs: s.rto.objectiveMs } : {}),
      ...(s.rto.measuredMs !== undefined ? { measuredMs: s.rto.measuredMs } : {}),
      ...(s.rto.met !== undefined ? { met: s.rto.met } : {}),
    },
    rpo: {
      ...(rpoObjective !== undefined ? { objectiveMs: rpoObjective } : {}),
      ...(rpo ? { measuredMs: rpo.ms, probe: rpo.probe } : {}),
      ...(rpo && rpoObjective !== undefined ? { met: rpo.ms <= rpoObjective } : {}),
    },
    report: o.reportPath,
  };
}

/**
 * Writes `<dir>/records/<run-id>.json` and `<dir>/reports/<run-id>.md` (dir: the repository's
 * `drills/` for real drills; the demo writes under `.runbook/drills/` so it never touches the tree).
 */
export function writeDrillFiles(o: {
  root: string; base?: string; outcome: RunOutcome; records: readonly AuditRecord[]; graph: IrGraph; faults: Record<string, string>;
  renderReport: (records: readonly AuditRecord[], record: DrillRecord) => string;
}): { recordPath: string; reportPath: string; record: DrillRecord } {
  const recordsDir = o.base ? join(o.base, 'records') : drillRecordsDir;
  const reportsDir = o.base ? join(o.base, 'reports') : drillReportsDir;
  const reportPath = join(reportsDir, `${o.outcome.runId}.md`);
  const recordPath = join(recordsDir, `${o.outcome.runId}.json`);
  const record = drillRecordOf({ outcome: o.outcome, records: o.records, graph: o.graph, faults: o.faults, reportPath });
  const fresh = o.renderReport(o.records, record);
  // What people wrote under "Lessons learned" survives a regenerated report.
  const existing = existsSync(join(o.root, reportPath)) ? readFileSync(join(o.root, reportPath), 'utf8') : undefined;
  for (const [rel, text] of [[recordPath, JSON.stringify(record, null, 2) + '\n'], [reportPath, existing ? keepLessonsLearned(existing, fresh) : fresh]] as const) {
    mkdirSync(dirname(join(o.root, rel)), { recursive: true });
    writeFileSync(join(o.root, rel), text);
  }
  return { recordPath, reportPath, record };
}
