import { dryRunNotMeasured, type DrillRecord } from '../../ir/drill-record.js';
import { day, dur, outcomeText } from './format.js';
import { rtoVerdict } from './objectives.js';

/** The wiki Home history table's columns, in the order of `HistoryRow`'s display fields. */
export const historyHeader = ['Date', 'Kind', 'Outcome', 'RTO measured vs objective'] as const;

/** One drill as a history row: display strings, plus where its report is for a link. */
export interface HistoryRow {
  readonly runId: string;
  readonly runbook: string;
  /** The report's path relative to the repository root (DrillRecord.report). */
  readonly report: string;
  readonly date: string;
  /** `drill, live` or `drill, dry run`, with the number of injected faults. */
  readonly kind: string;
  /** `✅ succeeded`, `↩️ rolled back`… */
  readonly outcome: string;
  /** `10s of 1h ✅`, `1h5m of 1h ❌ missed by 5m`, `❌ not recovered (objective 1h)`, `10s (no objective)` */
  readonly rto: string;
}

/**
 * The history table's rows, newest first (ties by run id, so the order is stable). Pure: the
 * caller reads the records and builds the table, linking `date` to `report` as it sees fit.
 */
export function renderHistoryRows(records: readonly DrillRecord[]): HistoryRow[] {
  return [...records]
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.runId.localeCompare(b.runId))
    .map((r) => {
      const faults = Object.keys(r.faults).length;
      return {
        runId: r.runId,
        runbook: r.runbook,
        report: r.report,
        date: day(r.startedAt),
        kind: `drill, ${r.mode === 'dry-run' ? 'dry run' : 'live'}${faults ? `, ${faults} fault${faults > 1 ? 's' : ''} injected` : ''}`,
        outcome: outcomeText(r.status),
        rto: r.mode === 'dry-run' ? dryRunNotMeasured : rtoCell(r.rto),
      };
    });
}

/** Short on purpose: a Home table cell. The report has the long wording. */
function rtoCell(rto: DrillRecord['rto']): string {
  if (rto.objectiveMs === undefined)
    return rto.measuredMs === undefined ? 'not measured (no objective)' : `${dur(rto.measuredMs)} (no objective)`;
  if (rto.measuredMs === undefined) return `❌ not recovered (objective ${dur(rto.objectiveMs)})`;
  const v = rtoVerdict(rto);
  return `${dur(rto.measuredMs)} of ${dur(rto.objectiveMs)} ${v.met ? '✅' : v.text}`;
}
