import { drillRecordsDir, drillReportsDir } from '../../ir/drill-record.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { DrillFiles } from '../load/drill-records.js';
import { readTree } from './read-tree.js';

/**
 * Reads `drills/records/*.json` and `drills/reports/*.md` under `root`, sorted, with the runbook
 * tree's limits (size, UTF-8). Either folder may be missing: most trees have no drills yet.
 */
export function readDrillFiles(root: string): { files: DrillFiles; diagnostics: Diagnostic[] } {
  const records = readTree(root, [drillRecordsDir], [drillRecordsDir], (p) => p.endsWith('.json'));
  const reports = readTree(root, [drillReportsDir], [drillReportsDir], (p) => p.endsWith('.md'));
  return {
    files: { records: records.files, reports: reports.files },
    diagnostics: [...records.diagnostics, ...reports.diagnostics],
  };
}
