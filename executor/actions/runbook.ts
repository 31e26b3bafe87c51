import { ActionError } from '../core/errors.js';
import type { ActionDefinition } from './action.js';
import type { RunbookParams, RunbookResult } from '../../common/actions-catalog/index.js';

/** `with` of this action, generated from its schema (common/actions-catalog/types.generated.ts). */
export type { RunbookParams };

/** Result of this action, generated from its `x-result` (common/actions-catalog/types.generated.ts). */
export type { RunbookResult };

/**
 * `runbook`: runs another compiled runbook as a sub-graph with `inputs`. Anything but
 * `succeeded` fails the step, without retry: the sub-run had its own retries and rollback, and
 * running a whole procedure again is a decision for a person, not a retry policy.
 */
export const runbookAction: ActionDefinition<RunbookParams, RunbookResult> = {
  id: 'runbook',
  async run(params, ctx) {
    const { status, outputs } = await ctx.services.runSubgraph(params.runbook, params.inputs ?? {}, ctx.signal);
    if (status !== 'succeeded') {
      throw new ActionError(`runbook ${params.runbook} ended ${status}`, { code: 'subrun-failed' });
    }
    return { status, outputs };
  },
  plan(params, ctx) {
    // Inputs are rendered and may hold secrets; the sub-graph's own plan comes from the scheduler.
    const inputs = ctx.secrets.maskDeep(params.inputs ?? {});
    const names = Object.keys(inputs);
    return {
      summary: `run runbook ${params.runbook}${names.length ? ` with ${names.join(', ')}` : ''}`,
      calls: [{ target: `runbook:${params.runbook}`, operation: 'run', args: { inputs } }],
    };
  },
};
