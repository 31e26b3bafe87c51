import { joinPointer } from '../load/source-map.js';
import { callsOf } from './nested-calls.js';
import type { Rule } from './rule.js';
import { stepBodies } from './step-action.js';
import { expressions } from './template-in-run.js';

/**
 * `template-in-sql`: a value rendered into SQL text becomes SQL. `… where name = '{{inputs.v}}'`
 * with the input `x' or '1'='1` returns every row; bind parameters (`params: ["{{inputs.v}}"]`
 * and `$1`) keep values as data. A warning, since a constant from the runbook itself is harmless.
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
          const sql = at.call.uses === 'postgres.query' ? at.with.sql : undefined;
          if (typeof sql !== 'string') continue;
          for (const expr of expressions(sql)) {
            ctx.report(
              unit.doc,
              joinPointer(at.pointer, 'with', 'sql'),
              'template-in-sql',
              `${expr.text} is rendered into the SQL text, where a value becomes SQL`,
              {
                within: { text: sql, start: expr.start, end: expr.end },
                hint: `pass it as a bind parameter: params: ["${expr.text}"] and $1 in the SQL`,
              },
            );
          }
        }
      }
    }
  },
};
