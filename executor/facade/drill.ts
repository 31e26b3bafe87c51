import type { IrGraph } from '../../ir/types.js';
import type { AuditRecord } from '../audit/record.js';
import { describeFault, parseFaults, type Fault } from '../drill/faults.js';
import { writeDrillFiles } from '../drill/record.js';
import { gatesOf, renderAuditReport } from '../report/index.js';
import type { RunOutcome } from '../run/run-runbook.js';

export { parseFaults as drillFaults };

/** Writes a drill's record (`records/<run-id>.json`) and report page (`reports/<run-id>.md`). */
export function writeDrillOutcome(o: {
  root: string;
  base?: string;
  outcome: RunOutcome;
  records: readonly AuditRecord[];
  graph: IrGraph;
  faults: ReadonlyMap<string, Fault>;
}) {
  return writeDrillFiles({
    root: o.root,
    ...(o.base ? { base: o.base } : {}),
    outcome: o.outcome,
    records: o.records,
    graph: o.graph,
    faults: Object.fromEntries([...o.faults].map(([k, f]) => [k, describeFault(f)])),
    renderReport: (r, record) => renderAuditReport(r, { record, runbookTitle: o.graph.title, gates: gatesOf(o.graph) }),
  });
}
