import { createRequire } from 'node:module';
import type { LoadedDoc } from '../load/loaded-doc.js';
import { joinPointer } from '../load/source-map.js';
import type { Rule, RuleContext } from './rule.js';

// cron-parser (and luxon, which it builds a date with on every parse) is loaded by the first
// schedule, not with the rules: a tree without schedules never loads it. The
// package is CommonJS (`main` dist/index.js), so it loads synchronously, as the rule runs.
const require = createRequire(import.meta.url);
let parser: typeof import('cron-parser').CronExpressionParser | undefined;
const cronParser = () => (parser ??= (require('cron-parser') as typeof import('cron-parser')).CronExpressionParser);

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const fieldNames = ['minute', 'hour', 'day of month', 'month', 'day of week'];

/**
 * Why a schedule is not a portable 5-field cron expression, or undefined when it is. Schedules
 * become GitHub Actions `schedule.cron`, which takes exactly five POSIX fields (`* , - /`, numbers,
 * month and weekday names), so cron-parser's extensions (seconds, `@daily`, `L W # ? H`) are
 * refused even though the library would accept them.
 */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (expr.trim().startsWith('@')) return `macros such as ${fields[0]} are not supported; write the five fields`;
  if (fields.length === 6)
    return 'a 6-field expression (with seconds) is not supported; write minute hour day-of-month month day-of-week';
  if (fields.length !== 5)
    return `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  for (let i = 0; i < 5; i++) {
    const bad = fields[i].split(/[,/-]/).find((token) => !portableToken(token, i));
    if (bad !== undefined)
      return `${fieldNames[i]} field "${fields[i]}": "${bad}" is not supported (use numbers, names, * , - /)`;
  }
  try {
    cronParser().parse(expr, { tz: 'UTC' });
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

function portableToken(token: string, field: number): boolean {
  // Empty tokens (`1,,2`) are left to the parser, whose message says more.
  if (token === '' || token === '*' || /^\d+$/.test(token)) return true;
  const names = field === 3 ? months : field === 4 ? days : [];
  return names.includes(token.toLowerCase());
}

/** BackupPlan, Runbook and Directory drill schedules are valid 5-field cron expressions (UTC). */
export const cronRule: Rule = {
  id: 'cron',
  codes: ['invalid-cron'],
  docs: 'BackupPlan and Runbook `spec.schedule` and Directory `spec.drills[].schedule` are 5-field cron expressions in UTC, as GitHub Actions schedules accept them.',
  check(ctx) {
    for (const plan of ctx.backupPlans) checkSchedule(ctx, plan.doc, '/spec/schedule', plan.data.spec.schedule);
    for (const unit of ctx.runbooks) {
      if (!unit.loweredFrom) checkSchedule(ctx, unit.doc, '/spec/schedule', unit.data.spec.schedule);
    }
    const dir = ctx.directory;
    (dir?.data.spec.drills ?? []).forEach((drill, i) =>
      checkSchedule(ctx, dir!.doc, joinPointer('/spec/drills', i, 'schedule'), drill.schedule),
    );
  },
};

function checkSchedule(ctx: RuleContext, doc: LoadedDoc, pointer: string, expr: unknown): void {
  if (typeof expr !== 'string') return;
  const problem = cronProblem(expr);
  if (problem) {
    ctx.report(doc, pointer, 'invalid-cron', `invalid cron expression "${expr}": ${problem}`, {
      hint: 'five fields in UTC: minute hour day-of-month month day-of-week, e.g. "0 3 * * *"',
    });
  }
}
