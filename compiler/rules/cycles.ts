import { joinPointer } from '../load/source-map.js';
import type { Rule, RunbookUnit } from './rule.js';

/**
 * `cycle`: steps of a phase that depend on each other in a circle can never start. Each cycle
 * is reported once, at the member that comes first in the document, printed from there in
 * execution order (`a → b → c → a`: b needs a, c needs b, a needs c).
 */
export const cyclesRule: Rule = {
  id: 'cycles',
  codes: ['cycle'],
  docs: 'Dependencies between steps form no cycle.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      const seen = new Set<string>();
      // With a duplicated id, dependencies keyed by id merge two steps into one and can loop
      // on themselves; duplicate-id is the real finding then.
      const ids = unit.deps.steps.map((s) => s.step.id);
      const duplicated = new Set(ids.filter((id, i) => ids.indexOf(id) !== i));
      for (const cycle of unit.deps.cycles) {
        if (!cycle.some((id) => duplicated.has(id))) reportCycle(ctx.report.bind(ctx), unit, cycle, seen);
      }
    }
  },
};

type Report = Parameters<Rule['check']>[0]['report'];

function reportCycle(report: Report, unit: RunbookUnit, cycle: string[], seen: Set<string>): void {
  // `cycle` repeats its first id at the end; work on the distinct members.
  const members = cycle.slice(0, -1);
  if (members.length === 0) return;
  const orderOf = (id: string) => unit.deps.byId.get(id)?.order ?? Number.MAX_SAFE_INTEGER;
  const start = members.reduce((best, _id, k) => (orderOf(members[k]) < orderOf(members[best]) ? k : best), 0);
  const rotated = [...members.slice(start), ...members.slice(0, start)];
  const first = unit.deps.byId.get(rotated[0]);
  const key = rotated.join('\0');
  if (!first || seen.has(key)) return;
  seen.add(key);
  // The first member waits for the last one of the cycle: point at that `needs` entry if written.
  const needIndex = (first.step.needs ?? []).indexOf(rotated[rotated.length - 1]);
  const pointer = needIndex >= 0 ? joinPointer(first.pointer, 'needs', needIndex) : joinPointer(first.pointer, 'id');
  report(unit.doc, pointer, 'cycle', `dependency cycle: ${[...rotated, rotated[0]].join(' → ')}`, {
    hint: 'remove one of these needs: so the steps can be ordered',
  });
}
