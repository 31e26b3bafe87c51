import { joinPointer } from '../load/source-map.js';
import type { Rule } from './rule.js';
import { stepBodies } from './step-action.js';
import { callsOf, type CallLike } from './nested-calls.js';
import { isShell } from '../../common/actions-catalog/index.js';

/**
 * `template-in-run`: scripts are never rendered, so a `{{ }}` in one is either a bug (it would
 * reach bash verbatim) or an attempt at interpolation, which is how script injection happens.
 * Covers `run:` of steps and rollbacks and `with.script` of `uses: shell`, also inside a nested
 * action call such as wait's `check`.
 */
export const templateInRunRule: Rule = {
  id: 'template-in-run',
  codes: ['template-in-run'],
  docs: 'A `run:` script contains no `{{ }}`: values reach scripts through `env:` only.',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const { body, pointer } of stepBodies(unit)) {
        for (const [at, script] of scriptsOf(body, pointer)) {
          if (typeof script !== 'string') continue;
          for (const expr of expressions(script)) {
            ctx.report(
              unit.doc,
              at,
              'template-in-run',
              `run scripts are not rendered: ${expr.text} would reach the shell as written`,
              {
                within: { text: script, start: expr.start, end: expr.end },
                hint: `pass the value through env: (e.g. env: { VALUE: "${expr.text}" }) and use "$VALUE" in the script`,
              },
            );
          }
        }
      }
    }
  },
};

/** `run:` and a shell `with.script` of the body and of every call nested in it: each runs unrendered. */
function* scriptsOf(body: CallLike, pointer: string): Generator<[string, unknown]> {
  for (const at of callsOf(body, pointer)) {
    yield [joinPointer(at.pointer, 'run'), at.call.run];
    if (isShell(at.call.uses)) yield [joinPointer(at.pointer, 'with', 'script'), at.with.script];
  }
}

/** Each `{{ … }}` of a script (an unclosed one runs to the end of its line). */
export function expressions(script: string): { start: number; end: number; text: string }[] {
  const out: { start: number; end: number; text: string }[] = [];
  for (let i = script.indexOf('{{'); i >= 0; i = script.indexOf('{{', i)) {
    const close = script.indexOf('}}', i + 2);
    const eol = script.indexOf('\n', i);
    const end = close >= 0 && (eol < 0 || close < eol) ? close + 2 : eol < 0 ? script.length : eol;
    out.push({ start: i, end, text: script.slice(i, end) });
    i = end;
  }
  return out;
}
