import { joinPointer } from '../load/source-map.js';
import type { Rule } from './rule.js';
import { checkNotify } from './notify-template.js';

/**
 * The variables the update timer supplies to each recurring update (executor/run/run-updates.ts):
 * a Template may require them without the entry's `vars` giving them.
 */
export const UPDATE_PROGRESS_VARS = ['phase', 'steps_done', 'steps_total', 'elapsed', 'next_update'] as const;

/**
 * `spec.updates` entries are notify calls the run makes on a timer: the same checks as a notify
 * step (the Template exists, its required variables are supplied, by `vars` or by the timer, no
 * undeclared ones, every audience is in the Directory), with the same codes, so that a typo in a
 * recurring update is found at review time rather than half an hour into an incident.
 */
export const updatesRule: Rule = {
  id: 'updates',
  codes: ['unknown-template', 'missing-template-variable', 'unknown-template-variable', 'unknown-audience'],
  docs: 'Each `spec.updates` entry names an existing Template, supplies its required variables (the timer gives the progress ones) and addresses audiences defined in the Directory.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      if (unit.loweredFrom) continue;
      (unit.data.spec.updates ?? []).forEach((entry, i) =>
        checkNotify(ctx, unit.doc, joinPointer('/spec/updates', i), entry, UPDATE_PROGRESS_VARS),
      );
    }
  },
};
