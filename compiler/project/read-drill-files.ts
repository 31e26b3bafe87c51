import { drillRecordsDir, drillReportsDir } from '../../ir/drill-record.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { DrillFiles } from '../load/drill-records.js';
import { readTree } from './read-tree.js';
import { ciExercisesFile } from '../load/ci-exercises-path.js';

/**
 * Reads `drills/records/*.json` and `drills/reports/*.md` under `root`, sorted, with the runbook
 * tree's limits (size, UTF-8). Either folder may be missing: most trees have no drills yet.
 */
export function readDrillFiles(root: string): { files: DrillFiles; diagnostics: Diagnostic[] } {
  const records = readTree(root, [drillRecordsDir], [drillRecordsDir], (p) => p.endsWith('.json'));
  const reports = readTree(root, [drillReportsDir], [drillReportsDir], (p) => p.endsWith('.md'));
  // library: the CI claims beside the drill evidence (load/ci-exercises.ts); most trees have none.
  const ci = readTree(root, [ciExercisesFile], [ciExercisesFile]);
  return {
    files: { records: records.files, reports: reports.files, ...(ci.files[0] ? { ci: ci.files[0] } : {}) },
    diagnostics: [...records.diagnostics, ...reports.diagnostics, ...ci.diagnostics],
  };
}
