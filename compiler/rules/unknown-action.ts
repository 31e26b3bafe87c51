import { joinPointer } from '../load/source-map.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule } from './rule.js';
import { stepBodies } from './step-action.js';

/** `unknown-action`: `uses:` must name an action of the catalogue (`schemas/actions/`). */
export const unknownActionRule: Rule = {
  id: 'unknown-action',
  codes: ['unknown-action'],
  docs: '`uses:` of a step or rollback names an action of the catalogue.',
  check(ctx) {
    const known = [...ctx.catalog.keys()];
    for (const unit of ctx.runbooks) {
      for (const { body, pointer } of stepBodies(unit)) {
        if (body.uses === undefined || ctx.catalog.has(body.uses)) continue;
        const guess = didYouMean(body.uses, known);
        ctx.report(unit.doc, joinPointer(pointer, 'uses'), 'unknown-action', `unknown action "${body.uses}"`, {
          hint: guess ? `did you mean "${guess}"?` : `actions: ${known.join(', ')}`,
        });
      }
    }
  },
};
