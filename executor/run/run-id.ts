import { randomBytes } from 'node:crypto';

/** `20261122-141503-primary-region-failure-3f9a`: sortable, readable, unique. */
export function newRunId(runbook: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${runbook}-${randomBytes(2).toString('hex')}`;
}
