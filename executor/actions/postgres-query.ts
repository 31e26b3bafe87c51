import { withPgClient } from '../pg/connect.js';
import { describeTarget } from '../pg/target.js';
import type { ActionDefinition, ActionPlan, PlanContext } from './action.js';
import type { PostgresQueryParams, PostgresQueryResult } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { PostgresQueryParams };

/** Result of this action, generated from its `x-result` (common/actions-catalog/types.generated.ts). */
export type { PostgresQueryResult };

/**
 * `postgres.query`: one SQL statement with `$n` parameters. The extended protocol is used even
 * without parameters so a templated `sql` can never smuggle a second statement in; `int8` and
 * `numeric` values come back as numbers when that loses nothing, dates and times as PostgreSQL's text.
 */
export const postgresQueryAction: ActionDefinition<PostgresQueryParams, PostgresQueryResult> = {
  id: 'postgres.query',

  async run(params, ctx) {
    return withPgClient(params, ctx, async (session) => {
      const result = await session.query(params.sql, params.params ?? []);
      return { rows: result.rows, rowCount: result.rowCount ?? null };
    });
  },

  plan(params, ctx): ActionPlan {
    return planQuery(params, ctx);
  },
};

function planQuery(params: PostgresQueryParams, ctx: PlanContext): ActionPlan {
  const where = describeTarget(params);
  const firstLine = params.sql.trim().split('\n')[0] ?? '';
  const shortSql = firstLine.length > 80 ? `${firstLine.slice(0, 77)}...` : firstLine;
  return {
    summary: ctx.secrets.mask(`run SQL on ${where}: ${shortSql}`),
    calls: [
      {
        target: `postgres:${where}`,
        operation: 'query',
        // Parameter values may be secrets (rendered in clear): masked like any other output.
        args: ctx.secrets.maskDeep({ sql: params.sql, params: params.params ?? [] }),
      },
    ],
  };
}
