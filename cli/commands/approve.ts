import { resolve } from 'node:path';
import type { RunMode } from '../../ir/plan-hash.js';
import { appendApproval, signApproval } from '../../executor/facade/approvals.js';
import { ExitCode } from '../exit-codes.js';

export interface ApproveCliOptions {
  plan: string;
  step: string;
  as: string;
  key: string;
  approvals: string;
  mode: RunMode;
}

/**
 * `runbook approve --plan HASH --step S --as @me --key ~/.ssh/id_ed25519 --approvals FILE [--mode drill]`:
 * signs an approval with the approver's SSH key and appends it to the approvals file that the run
 * is given (`runbook run|drill --approvals FILE`). The run verifies it against the keys the
 * Directory lists for that person.
 */
export async function approveCommand(o: ApproveCliOptions): Promise<number> {
  const claim = await signApproval({ planHash: o.plan, step: o.step, approver: o.as, mode: o.mode, keyFile: o.key });
  appendApproval(resolve(o.approvals), claim);
  process.stdout.write(
    `signed approval: step ${claim.step}, plan ${claim.planHash.slice(0, 12)} (${claim.mode}), by ${claim.approver}; appended to ${o.approvals}\n`,
  );
  return ExitCode.Ok;
}
