import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../compiler/rules/cron.js';

describe('cronProblem', () => {
  it.each(['0 3 * * *', '*/15 * * * *', '0 14 15 1,4,7,10 *', '30 2 * JAN-MAR mon-fri', '0 0 1-7 * 0'])(
    'accepts %s',
    (expr) => {
      expect(cronProblem(expr)).toBeUndefined();
    },
  );

  it.each([
    ['0 0 3 * * *', /6-field/],
    ['@daily', /macros/],
    ['0 3 * *', /expected 5 fields/],
    ['0 3 ? * *', /"\?" is not supported/],
    ['0 3 L * *', /"L" is not supported/],
    ['0 3 * * 1#2', /"1#2" is not supported/],
    ['61 3 * * *', /expected range 0-59/],
    ['0 3 * FOO *', /"FOO" is not supported/],
    ['0 3 * * JAN', /"JAN" is not supported/],
  ])('rejects %s', (expr, reason) => {
    expect(cronProblem(expr)).toMatch(reason);
  });
});
