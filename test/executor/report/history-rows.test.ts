import { describe, expect, it } from 'vitest';
import { historyHeader, renderHistoryRows } from '../../../executor/report/index.js';
import type { DrillRecord } from '../../../ir/drill-record.js';
import { rolledBackRecord } from './scenarios.js';

const base: DrillRecord = {
  ...rolledBackRecord,
  runId: 'd1',
  startedAt: '2025-01-10T09:00:00.000Z',
  status: 'succeeded',
  mode: 'dry-run',
  faults: {},
  rto: { objectiveMs: 3_600_000, measuredMs: 600_000, met: true },
  report: 'drills/reports/d1.md',
};

describe('renderHistoryRows', () => {
  it('gives date, kind, outcome and RTO measured vs objective, newest first', () => {
    const rows = renderHistoryRows([
      base,
      rolledBackRecord,
      {
        ...base,
        runId: 'd3',
        startedAt: '2024-12-01T09:00:00.000Z',
        status: 'failed',
        mode: 'live',
        faults: { a: 'fail', b: 'slow=30s' },
        rto: { objectiveMs: 3_600_000, measuredMs: 3_900_000, met: false },
      },
      {
        ...base,
        runId: 'd4',
        startedAt: '2024-11-01T09:00:00.000Z',
        status: 'interrupted',
        rto: { measuredMs: 5_000 },
      },
    ]);
    expect(historyHeader).toEqual(['Date', 'Kind', 'Outcome', 'RTO measured vs objective']);
    expect(rows.map((r) => [r.date, r.kind, r.outcome, r.rto])).toEqual([
      ['2025-03-01', 'drill, live, 1 fault injected', '↩️ rolled back', '❌ not recovered (objective 5m)'],
      ['2025-01-10', 'drill, dry run', '✅ succeeded', 'not measured (dry run)'],
      ['2024-12-01', 'drill, live, 2 faults injected', '❌ failed', '1h5m of 1h ❌ missed by 5m'],
      ['2024-11-01', 'drill, dry run', '⏸️ interrupted', 'not measured (dry run)'],
    ]);
    expect(rows[0]).toMatchObject({
      runId: 'drill-2025-03-02',
      runbook: 'db-failover',
      report: 'drills/reports/drill-2025-03-02.md',
    });
  });

  it('is pure: the input is not reordered', () => {
    const input = [base, rolledBackRecord];
    renderHistoryRows(input);
    expect(input.map((r) => r.runId)).toEqual(['d1', 'drill-2025-03-02']);
    expect(renderHistoryRows([])).toEqual([]);
  });
});
