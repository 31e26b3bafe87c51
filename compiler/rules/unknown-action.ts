import type { LoadedDoc } from '../load/loaded-doc.js';
import { joinPointer } from '../load/source-map.js';
import { didYouMean } from '../validate/did-you-mean.js';
import type { Rule, RuleContext } from './rule.js';
import { stepBodies } from './step-action.js';
import { isWait } from '../../common/actions-catalog/index.js';

/**
 * `unknown-action`: `uses:` must name an action of the catalogue (`schemas/actions/`), and so must
 * the action a `wait` step polls (`with.check.uses`).
 */
export const unknownActionRule: Rule = {
  id: 'unknown-action',
  codes: ['unknown-action'],
  docs: '`uses:` of a step, a rollback or a `wait` check names an action of the catalogue.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const { body, pointer } of stepBodies(unit)) {
        checkAction(ctx, unit.doc, body.uses, joinPointer(pointer, 'uses'));
        const check = isWait(body.uses) ? (body.with?.check as { uses?: unknown } | undefined) : undefined;
        if (typeof check?.uses === 'string')
          checkAction(ctx, unit.doc, check.uses, joinPointer(pointer, 'with', 'check', 'uses'));
      }
    }
  },
};

function checkAction(ctx: RuleContext, doc: LoadedDoc, action: string | undefined, pointer: string): void {
  if (action === undefined || ctx.catalog.has(action)) return;
  const known = [...ctx.catalog.keys()];
  const guess = didYouMean(action, known);
  ctx.report(doc, pointer, 'unknown-action', `unknown action "${action}"`, {
    hint: guess ? `did you mean "${guess}"?` : `actions: ${known.join(', ')}`,
  });
}
