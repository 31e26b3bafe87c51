import { formatDuration, parseDuration } from '../../ir/duration.js';
import { joinPointer } from '../load/source-map.js';
import type { Rule } from './rule.js';

/**
 * `timeout-below-estimate`: a step whose `timeout` is shorter than its own `estimate` would be
 * killed on an ordinary run; one of the two is wrong.
 */
export const timeoutsRule: Rule = {
  id: 'timeouts',
  codes: ['timeout-below-estimate'],
  docs: "A step's `timeout` is at least its `estimate`.",
  check(ctx) {
    for (const unit of ctx.runbooks) {
      for (const { step, pointer } of unit.deps.steps) {
        if (step.timeout === undefined || step.estimate === undefined) continue;
        const timeout = parseDuration(step.timeout);
        const estimate = parseDuration(step.estimate);
        // Malformed durations are reported by the schema (invalid-duration).
        if (timeout === undefined || estimate === undefined || timeout >= estimate) continue;
        ctx.report(
          unit.doc,
          joinPointer(pointer, 'timeout'),
          'timeout-below-estimate',
          `step "${step.id}" times out after ${formatDuration(timeout)} but is estimated to take ${formatDuration(estimate)}`,
          { hint: 'raise the timeout (one attempt) or correct the estimate' },
        );
      }
    }
  },
};
