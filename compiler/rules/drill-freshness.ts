import { countsAsDrilled, drillIntervalOf, isOverdue, runbookDrills } from '../project/drill-facts.js';
import { graphOf } from '../graph/build-graph.js';
import type { Rule } from './rule.js';

const day = (iso: string) => iso.slice(0, 10);

/**
 * Runbooks of a tier with a drill interval must have been drilled, live and successfully, within
 * it (`drill-overdue`), and that drill must have run the runbook as it is now (`drill-stale`).
 *
 * "Within" is measured from the reference date (compiler/project/drill-facts.ts): the newest drill
 * record, or a later `today` the caller passes; never the wall clock, so findings change only
 * when files (or the explicit date) change. A tree without drill records and without `today` has
 * nothing to measure against and gets no `drill-overdue`; `drill-stale` needs no date at all.
 */
export const drillFreshnessRule: Rule = {
  id: 'drill-freshness',
  codes: ['drill-overdue', 'drill-stale'],
  docs: 'Runbooks whose tier has a drill interval were drilled live and successfully within it (as of the newest drill record, or `today`), and have not changed since that drill.',
  check(ctx) {
    const drills = ctx.drills;
    if (!drills) return;
    for (const unit of ctx.runbooks) {
      // A BackupPlan's graph runs on its own schedule; it is verified by running, not drilled.
      if (unit.loweredFrom) continue;
      const { name, tier } = unit.data.metadata;
      const interval = drillIntervalOf(tier, ctx.directory?.data.spec);
      if (!interval) continue;
      // Hash only when there is a drill to compare with, and only a graph that builds (its errors come first).
      const drilled = drills.records.some((r) => r.runbook === name && countsAsDrilled(r));
      const buildable = !unit.deps.cycles.length && !unit.deps.problems.length;
      const planHash = drilled && buildable ? graphOf(unit, ctx).planHash : undefined;
      const status = runbookDrills(name, drills.records, interval, planHash);
      const reference = drills.reference;
      if (isOverdue(status, reference) && reference) {
        const as = `${day(reference.iso)} (${reference.source === 'today' ? 'today' : 'the newest drill record'})`;
        const last = status.lastSuccess
          ? `its last successful live drill ended ${day(status.lastSuccess.endedAt)}`
          : status.records.length
            ? `none of its ${status.records.length} drill record(s) is a successful live drill`
            : 'it has never been drilled';
        ctx.report(
          unit.doc,
          '/metadata/tier',
          'drill-overdue',
          `runbook "${name}" is overdue for a drill: tier "${interval.tier}" drills every ${interval.text}, ${last}, and the reference date is ${as}`,
          {
            hint: `run \`runbook drill ${name}\` live and commit its record (drills/records/); dry-run drills do not count`,
          },
        );
      }
      if (status.stale && status.lastSuccess) {
        const success = status.lastSuccess;
        ctx.report(
          unit.doc,
          '/metadata/name',
          'drill-stale',
          `runbook "${name}" changed since its last successful live drill (${success.runId}, ${day(success.endedAt)}): ` +
            `that drill ran plan ${success.graphHash.slice(0, 12)}, the runbook now compiles to ${planHash?.slice(0, 12)}`,
          { hint: `drill the changed runbook (\`runbook drill ${name}\`) so a record covers what would run` },
        );
      }
    }
  },
};
