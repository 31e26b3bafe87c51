import type { DrillRecord } from '../../ir/drill-record.js';
import {
  againstDeclared,
  countsAsDrilled,
  declaredEnvironments,
  drillIntervalOf,
  isOverdue,
  runbookDrills,
  type RunbookDrills,
} from '../project/drill-facts.js';
import { graphOf } from '../graph/build-graph.js';
import type { Rule } from './rule.js';

const day = (iso: string) => iso.slice(0, 10);

/**
 * Runbooks of a tier with a drill interval must have been drilled, live and successfully, against
 * an environment some runbook declares, within it (`drill-overdue`), and that drill must have run
 * the runbook as it is now (`drill-stale`). A drill of loopback servers (`runbook demo`, recorded
 * as environment `local` from `demo`) or of an undeclared environment proves nothing about the
 * real one: it is listed in the history but never counts.
 *
 * "Within" is measured from the reference date (compiler/project/drill-facts.ts): the newest drill
 * record, or a later `today` the caller passes; never the wall clock, so findings change only
 * when files (or the explicit date) change. A tree without drill records and without `today` has
 * nothing to measure against and gets no `drill-overdue`; `drill-stale` needs no date at all.
 */
export const drillFreshnessRule: Rule = {
  id: 'drill-freshness',
  codes: ['drill-overdue', 'drill-stale'],
  docs: 'Runbooks whose tier has a drill interval were drilled live and successfully, against an environment a runbook declares, within it (as of the newest drill record, or `today`), and have not changed since that drill.',
  check(ctx) {
    const drills = ctx.drills;
    if (!drills) return;
    const declared = declaredEnvironments(ctx.runbooks.map((u) => u.data.spec.environment));
    for (const unit of ctx.runbooks) {
      // A BackupPlan's graph runs on its own schedule; it is verified by running, not drilled.
      if (unit.loweredFrom) continue;
      const { name, tier } = unit.data.metadata;
      const interval = drillIntervalOf(tier, ctx.directory?.data.spec);
      if (!interval) continue;
      // Hash only when there is a drill to compare with, and only a graph that builds (its errors come first).
      const drilled = drills.records.some((r) => r.runbook === name && countsAsDrilled(r, declared));
      const buildable = !unit.deps.cycles.length && !unit.deps.problems.length;
      const planHash = drilled && buildable ? graphOf(unit, ctx).planHash : undefined;
      const status = runbookDrills(name, drills.records, declared, interval, planHash);
      const reference = drills.reference;
      if (isOverdue(status, reference) && reference) {
        const as = `${day(reference.iso)} (${reference.source === 'today' ? 'today' : 'the newest drill record'})`;
        ctx.report(
          unit.doc,
          '/metadata/tier',
          'drill-overdue',
          `runbook "${name}" is overdue for a drill: tier "${interval.tier}" drills every ${interval.text}, ${lastDrill(status, declared)}, and the reference date is ${as}`,
          {
            hint: `run \`runbook drill ${name}\` live against ${declaredText(declared)} and commit its record (drills/records/); dry runs and drills of other environments (a loopback demo) do not count`,
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

/** What the records say of the last drill that counted, or why none did. */
function lastDrill(status: RunbookDrills, declared: ReadonlySet<string>): string {
  if (status.lastSuccess)
    return `its last successful live drill against a declared environment ended ${day(status.lastSuccess.endedAt)}`;
  if (!status.records.length) return 'it has never been drilled';
  const elsewhere = status.records.filter((r) => isLiveSuccess(r) && !againstDeclared(r, declared));
  const why = elsewhere.length
    ? `; ${elsewhere.length} succeeded against ${[...new Set(elsewhere.map(environmentName))].join(', ')}, which does not count: only an environment a runbook declares does (declared: ${declaredText(declared)})`
    : '';
  return `none of its ${status.records.length} drill record(s) is a successful live drill against a declared environment${why}`;
}

function isLiveSuccess(r: DrillRecord): boolean {
  return r.mode === 'live' && r.status === 'succeeded';
}

function environmentName(r: DrillRecord): string {
  const env = r.environment;
  if (!env) return 'an unrecorded environment';
  if (env.source === 'demo') return `${env.name ?? 'local'} (the loopback demo)`;
  return env.name ?? 'no named environment';
}

function declaredText(declared: ReadonlySet<string>): string {
  return declared.size ? [...declared].join(', ') : 'none: set spec.environment on the runbook';
}
