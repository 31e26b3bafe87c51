import { withPgClient } from '../pg/connect.js';
import { describeTarget } from '../pg/target.js';
import type { ActionDefinition, ActionPlan, PlanContext } from './action.js';

/** `with` of postgres.query (schemas/actions/postgres.query.schema.json). */
export interface PostgresQueryParams {
  readonly url: string;
  readonly host?: string;
  readonly database?: string;
  readonly sql: string;
  readonly params?: unknown[];
}

/** `result` of postgres.query, as its `x-result`. */
export interface PostgresQueryResult {
  /** One object per row keyed by column name; int8/numeric as numbers when exact (see pg/types.ts). */
  readonly rows: Record<string, unknown>[];
  /** Rows returned or affected; null for commands without a count (ALTER SYSTEM, CREATE …). */
  readonly rowCount: number | null;
}

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
