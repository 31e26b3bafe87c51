import type { StepRef } from '../graph/dependencies.js';
import { joinPointer } from '../load/source-map.js';
import type { StepBodySpec } from '../model/specs.js';
import type { Rule, RunbookUnit } from './rule.js';

/** One executable body: a step itself, or its `rollback` compensation. */
export interface StepBody {
  readonly ref: StepRef;
  readonly body: StepBodySpec;
  /** JSON Pointer of the body (the step, or `<step>/rollback`). */
  readonly pointer: string;
  readonly isRollback: boolean;
}

/** Every step and rollback body of a runbook, in document order (shared by the step rules). */
export function stepBodies(unit: RunbookUnit): StepBody[] {
  const out: StepBody[] = [];
  for (const ref of unit.deps.steps) {
    out.push({ ref, body: ref.step, pointer: ref.pointer, isRollback: false });
    if (ref.step.rollback) {
      out.push({ ref, body: ref.step.rollback, pointer: joinPointer(ref.pointer, 'rollback'), isRollback: true });
    }
  }
  return out;
}

/** The action a body runs: `run:` is shorthand for `uses: shell`. */
export function actionOf(body: StepBodySpec): string | undefined {
  return body.uses ?? (body.run !== undefined ? 'shell' : undefined);
}

/**
 * `step-action`: a step or rollback body must have exactly one of `uses`/`run`. The schema cannot
 * say this well (a oneOf would bury the real mistake under branch errors), so this rule does.
 */
export const stepActionRule: Rule = {
  id: 'step-action',
  codes: ['step-action'],
  docs: 'Every step and every rollback body has exactly one of `uses:` or `run:`.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const { ref, body, pointer, isRollback } of stepBodies(unit)) {
        const what = isRollback ? `the rollback of step "${ref.step.id}"` : `step "${ref.step.id}"`;
        if (body.uses !== undefined && body.run !== undefined) {
          const message = `${what} has both uses: and run:; keep one`;
          const hint = 'run: is shorthand for uses: shell; put parameters of an action under with:';
          ctx.report(unit.doc, joinPointer(pointer, 'uses'), 'step-action', message, { key: true, hint });
          ctx.report(unit.doc, joinPointer(pointer, 'run'), 'step-action', message, { key: true, hint });
        } else if (body.uses === undefined && body.run === undefined) {
          // A rollback has no id of its own: point at the `rollback` key instead.
          const at = isRollback ? pointer : joinPointer(pointer, 'id');
          ctx.report(unit.doc, at, 'step-action', `${what} does nothing: add uses: <action> or run: <script>`, {
            key: isRollback,
          });
        }
      }
    }
  },
};
