import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { keepLessonsLearned } from '../report/index.js';
import { dirname, join, resolve } from 'node:path';
import { drillRecordsDir, drillReportsDir, type DrillRecord } from '../../ir/drill-record.js';
import type { IrGraph } from '../../ir/types.js';
import { isRecordOf, type AuditRecord } from '../audit/record.js';
import { rpoProbe } from '../audit/rpo-probe.js';
import { summarizeAudit } from '../audit/summary.js';
import type { RunOutcome } from '../run/run-runbook.js';

/** Builds the record of a finished drill from its audit log. */
export function drillRecordOf(o: {
  outcome: RunOutcome;
  records: readonly AuditRecord[];
  graph: IrGraph;
  faults: Record<string, string>;
  reportPath: string;
}): DrillRecord {
  const s = summarizeAudit(o.records);
  // The measured RPO: the last `rpoSeconds` output (the runbook's probe, e.g. the replication lag
  // before promotion or the age of the newest restored row), with its `rpoSource`.
  const probe = rpoProbe(s);
  const rpo = probe && { ms: probe.ms, probe: probe.stepId, source: probe.source };
  const rpoObjective = o.graph.objectives.rpoMs;
  const environment = o.records.find(isRecordOf('run:start'))?.data.environment;
  // A dry run plans actions without their effects: it measures neither RTO nor RPO (dryRunNotMeasured).
  const measured = !s.dryRun;
  return {
    recordVersion: 1,
    runId: o.outcome.runId,
    runbook: o.graph.name,
    graphHash: o.graph.planHash,
    planHash: o.outcome.planHash,
    startedAt: s.startedAt,
    endedAt: s.endedAt ?? s.startedAt,
    mode: s.dryRun ? 'dry-run' : 'live',
    status: o.outcome.status,
    initiator: s.initiator ?? s.actor,
    faults: o.faults,
    rto: {
      ...(s.rto.objectiveMs !== undefined ? { objectiveMs: s.rto.objectiveMs } : {}),
      ...(measured && s.rto.measuredMs !== undefined ? { measuredMs: s.rto.measuredMs } : {}),
      ...(measured && s.rto.met !== undefined ? { met: s.rto.met } : {}),
    },
    rpo: {
      ...(rpoObjective !== undefined ? { objectiveMs: rpoObjective } : {}),
      ...(measured && rpo ? { measuredMs: rpo.ms, probe: rpo.probe } : {}),
      ...(measured && rpo?.source ? { source: rpo.source } : {}),
      ...(measured && rpo && rpoObjective !== undefined ? { met: rpo.ms <= rpoObjective } : {}),
    },
    report: o.reportPath,
    ...(environment ? { environment } : {}),
  };
}

/**
 * Writes `<dir>/records/<run-id>.json` and `<dir>/reports/<run-id>.md` (dir: the repository's
 * `drills/` for real drills; the demo writes under `.runbook/drills/` so it never touches the tree).
 */
export function writeDrillFiles(o: {
  root: string;
  base?: string;
  outcome: RunOutcome;
  records: readonly AuditRecord[];
  graph: IrGraph;
  faults: Record<string, string>;
  renderReport: (records: readonly AuditRecord[], record: DrillRecord) => string;
}): { recordPath: string; reportPath: string; record: DrillRecord } {
  const recordsDir = o.base ? join(o.base, 'records') : drillRecordsDir;
  const reportsDir = o.base ? join(o.base, 'reports') : drillReportsDir;
  const reportPath = join(reportsDir, `${o.outcome.runId}.md`);
  const recordPath = join(recordsDir, `${o.outcome.runId}.json`);
  const record = drillRecordOf({
    outcome: o.outcome,
    records: o.records,
    graph: o.graph,
    faults: o.faults,
    reportPath,
  });
  const fresh = o.renderReport(o.records, record);
  // What people wrote under "Lessons learned" survives a regenerated report.
  const existing = existsSync(resolve(o.root, reportPath))
    ? readFileSync(resolve(o.root, reportPath), 'utf8')
    : undefined;
  for (const [rel, text] of [
    [recordPath, JSON.stringify(record, null, 2) + '\n'],
    [reportPath, existing ? keepLessonsLearned(existing, fresh) : fresh],
  ] as const) {
    // resolve, not join: an absolute --record-dir stays where it points.
    mkdirSync(dirname(resolve(o.root, rel)), { recursive: true });
    writeFileSync(resolve(o.root, rel), text);
  }
  return { recordPath, reportPath, record };
}
