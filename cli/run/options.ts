import type { AuditRecord, RunOptions, RunOutcome } from '../../executor/facade/index.js';

/** `runbook run`'s options, as commander parses them (cli/program/runs.ts). */
export interface RunCliOptions {
  root: string;
  input: string[];
  dryRun?: boolean;
  drill?: boolean;
  as?: string;
  approvals?: string;
  confirmAs?: string;
  auditDb?: string;
  allowOwnerRole?: boolean;
  concurrency?: string;
  /** `--environment`: recorded in run:start (source `cli`), else the runbook's own. */
  environment?: string;
  json?: boolean;
  commit?: string;
  inputsFromEnv?: boolean;
  drillNotifyCustomers?: boolean;
  /** Under CI without an audit database, run anyway on a lock file that only this runner sees. */
  allowLocalLock?: boolean;
}

/** What `drill` and `run-request` add to a run. */
export interface RunExtras extends Pick<RunOptions, 'beforeSteps' | 'faults'> {
  issueNumber?: number;
  inputs?: Record<string, unknown>;
  /** After the run: e.g. a drill writes its record and report. */
  onOutcome?: (outcome: RunOutcome, records: AuditRecord[]) => void | Promise<void>;
}
