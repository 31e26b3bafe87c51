import { readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { RunRefused } from '../core/errors.js';
import type { ApprovalClaim } from './policy.js';

/**
 * The non-interactive way to approve, for drills and CI: a YAML/JSON file of claims, each naming
 * the approver, the step (or `*`) and the plan hash printed by `runbook plan`. The policy is
 * enforced on every claim exactly as for a person at a terminal.
 *
 * ```yaml
 * approvals:
 *   - { step: approve-failover, approver: "@dana-lee", planHash: 3f2a… }
 * confirmations:
 *   by: "@dana-lee"          # confirms manual steps and checklist items
 * ```
 */
export interface ApprovalsFile {
  readonly approvals: ApprovalClaim[];
  readonly confirmBy?: string;
}

/** Claims for a handful of gates fit in a few KiB; a bigger file is a mistake or an attack on the parser. */
export const maxApprovalsFileBytes = 64 * 1024;

export function readApprovalsFile(path: string): ApprovalsFile {
  let data: unknown;
  try {
    const size = statSync(path).size;
    if (size > maxApprovalsFileBytes) throw new Error(`${size} bytes, more than the limit of ${maxApprovalsFileBytes}`);
    data = parse(readFileSync(path, 'utf8'), { maxAliasCount: 100 });
  } catch (e) {
    throw new RunRefused(`cannot read approvals file ${path}: ${(e as Error).message}`, undefined, { cause: e });
  }
  const d = (data ?? {}) as { approvals?: unknown; confirmations?: { by?: unknown } };
  const list = Array.isArray(d.approvals) ? d.approvals : [];
  const approvals = list.map((a, i) => {
    const c = a as Record<string, unknown>;
    if (typeof c.approver !== 'string' || typeof c.planHash !== 'string') {
      throw new RunRefused(`approvals file ${path}: entry ${i + 1} needs "approver" and "planHash"`);
    }
    return { approver: c.approver, planHash: c.planHash, step: typeof c.step === 'string' ? c.step : '*' };
  });
  const by = d.confirmations?.by;
  return { approvals, ...(typeof by === 'string' ? { confirmBy: by } : {}) };
}
