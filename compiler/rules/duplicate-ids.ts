import { joinPointer } from '../load/source-map.js';
import { finallyPhase, finallyPhaseId } from '../graph/dependencies.js';
import type { Rule } from './rule.js';

/**
 * `duplicate-id`: step ids (and phase ids) are unique within a runbook, because `needs:` and
 * `steps.<id>` name them. The first use wins; every later one is reported where it is written.
 */
export const duplicateIdsRule: Rule = {
  id: 'duplicate-ids',
  codes: ['duplicate-id'],
  docs: 'Step ids and phase ids are unique within a runbook.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      const phases = new Map<string, number>();
      // `spec.finally` is journaled and drawn as the phase `finally`: a phase cannot take its id.
      if (finallyPhase(unit.data.spec)) phases.set(finallyPhaseId, -1);
      (unit.data.spec.phases ?? []).forEach((phase, i) => {
        const first = phases.get(phase.id);
        if (first === undefined) phases.set(phase.id, i);
        else {
          ctx.report(
            unit.doc,
            joinPointer('/spec/phases', i, 'id'),
            'duplicate-id',
            first < 0
              ? `phase id "${phase.id}" is reserved for spec.finally`
              : `phase id "${phase.id}" is already used by phase ${first + 1}`,
          );
        }
      });
      const steps = new Map<string, { index: number; phase: string }>();
      for (const ref of unit.deps.steps) {
        const first = steps.get(ref.step.id);
        if (first === undefined) steps.set(ref.step.id, { index: ref.index, phase: ref.phase.id });
        else {
          ctx.report(
            unit.doc,
            joinPointer(ref.pointer, 'id'),
            'duplicate-id',
            `step id "${ref.step.id}" is already used by step ${first.index + 1} of phase "${first.phase}"`,
            { hint: 'step ids are unique in the runbook: needs: and steps.<id> refer to them' },
          );
        }
      }
    }
  },
};
