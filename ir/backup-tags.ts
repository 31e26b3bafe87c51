/**
 * Tags a BackupPlan puts on the RDS snapshots and copies it creates, so its retention step can
 * tell them from snapshots somebody else made (which it never touches). Shared by the lowering
 * (compiler) and the prune action (executor).
 */
export const BACKUP_TAGS = {
  /** The BackupPlan's `metadata.name`. */
  plan: 'runbook:plan',
  /** The target's `id`. */
  target: 'runbook:target',
  /**
   * When the run took the backup (ISO 8601, the run's start): the same on the snapshot and on
   * every copy, so a copy ages from the backup, not from the copy.
   */
  createdAt: 'runbook:created-at',
  /** `archive` on a monthly compliance copy (kept for `retention.archive`). */
  retention: 'runbook:retention',
} as const;
