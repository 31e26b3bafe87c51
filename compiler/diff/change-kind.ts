/**
 * How a runbook or run request differs between base and head. Its own module so the run-request
 * diff (diff-run-requests.ts) need not import the plan diff that calls it.
 */
export type ChangeKind = 'added' | 'removed' | 'changed';
