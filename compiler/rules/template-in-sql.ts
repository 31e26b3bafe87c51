import { sqlParams } from '../../common/actions-catalog/index.js';
import type { LoadedDoc } from '../load/loaded-doc.js';
import { joinPointer } from '../load/source-map.js';
import { callsOf } from './nested-calls.js';
import type { Rule, RuleContext } from './rule.js';
import { stepBodies } from './step-action.js';
import { expressions } from './template-in-run.js';

/**
 * `template-in-sql`: a value rendered into SQL text becomes SQL. `… where name = '{{inputs.v}}'`
 * with the input `x' or '1'='1` returns every row; bind parameters (`params: ["{{inputs.v}}"]`
 * and `$1`) keep values as data. A warning, since a constant from the runbook itself is harmless.
 * Which params hold SQL is the catalogue's `x-sql-params` (postgres.query's `sql`).
 */
export const templateInSqlRule: Rule = {
  id: 'template-in-sql',
  codes: ['template-in-sql'],
  docs: 'The `sql` of `postgres.query` (also nested, e.g. in a `wait` check) has no `{{ }}`: values go in `params` as `$1`, `$2`…',
  check(ctx) {
    for (const unit of ctx.runbooks) {
      if (unit.loweredFrom) continue;
      for (const { body, pointer } of stepBodies(unit)) {
        for (const at of callsOf(body, pointer)) {
          for (const param of sqlParams(at.call.uses)) {
            const sql = at.with[param];
            if (typeof sql === 'string') reportTemplates(ctx, unit.doc, joinPointer(at.pointer, 'with', param), sql);
          }
        }
      }
    }
  },
};

function reportTemplates(ctx: RuleContext, doc: LoadedDoc, pointer: string, sql: string): void {
  for (const expr of expressions(sql)) {
    ctx.report(
      doc,
      pointer,
      'template-in-sql',
      `${expr.text} is rendered into the SQL text, where a value becomes SQL`,
      {
        within: { text: sql, start: expr.start, end: expr.end },
        hint: `pass it as a bind parameter: params: ["${expr.text}"] and $1 in the SQL`,
      },
    );
  }
}
