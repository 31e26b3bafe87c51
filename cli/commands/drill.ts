import { drillFaults, loadGraph, writeDrillOutcome } from '../../executor/facade/index.js';
import { dryRunNotMeasured, environmentText, rpoIsEstimate, type DrillRecord } from '../../ir/drill-record.js';
import { runCommand, type RunCliOptions } from './run.js';

function rpoText(rpo: DrillRecord['rpo']): string {
  if (rpo.measuredMs === undefined) return 'not measured (no rpoSeconds output)';
  const estimate = rpoIsEstimate(rpo.source)
    ? ' — an ESTIMATE from the standby alone: the primary was unreachable or not asked'
    : '';
  return `${rpo.measuredMs} ms from ${rpo.probe}${estimate}`;
}

/**
 * `runbook drill NAME [--inject step=fault]…`: a run marked as a drill (plans, audit and
 * notifications say so; customers are never notified), with faults injected to rehearse retries
 * and rollback; writes `drills/records/<run-id>.json` and `drills/reports/<run-id>.md`.
 */
export async function drillCommand(
  name: string,
  o: RunCliOptions & { inject: string[]; recordDir?: string },
): Promise<number> {
  const graph = loadGraph(o.root, name);
  const faults = drillFaults(graph, o.inject);
  return runCommand(name, { ...o, drill: true }, undefined, {
    faults,
    onOutcome: (outcome, records) => {
      const files = writeDrillOutcome({
        root: o.root,
        ...(o.recordDir ? { base: o.recordDir } : {}),
        outcome,
        records,
        graph,
        faults,
      });
      const { rto, mode, environment } = files.record;
      process.stdout.write(`drill record: ${files.recordPath}\ndrill report: ${files.reportPath}\n`);
      process.stdout.write(`environment: ${environmentText(environment)}\n`);
      process.stdout.write(
        mode === 'dry-run'
          ? `RTO and RPO ${dryRunNotMeasured}\n`
          : `measured RTO ${rto.measuredMs ?? '—'} ms${rto.objectiveMs !== undefined ? ` (objective ${rto.objectiveMs} ms, ${rto.met ? 'met' : 'missed'})` : ''}; RPO ${rpoText(files.record.rpo)}\n`,
      );
    },
  });
}
