import type { BackupPlanDocData, BackupTargetSpec, StepSpec } from '../model/specs.js';
import { BACKUP_TAGS } from '../../ir/backup-tags.js';

/** A lowered step and the pointer in the BackupPlan it came from (for diagnostics). */
export interface Lowered {
  readonly step: StepSpec;
  readonly origin: string;
  /** Sub-pointers of the step mapped to sub-pointers of the plan. */
  readonly fields?: Record<string, string>;
}

/** The target's region, when it names one (else the action's default region). */
export const region = (t: BackupTargetSpec) => (t.region ? { region: t.region } : {});

/**
 * Tags of every snapshot and copy the plan makes: the prune steps touch only snapshots carrying
 * them, and age a copy from the run that took the backup (see docs/format-reference.md).
 */
export function backupTags(plan: BackupPlanDocData, t: BackupTargetSpec): Record<string, string> {
  return {
    [BACKUP_TAGS.plan]: plan.metadata.name,
    [BACKUP_TAGS.target]: t.id,
    [BACKUP_TAGS.createdAt]: '{{run.startedAt}}',
  };
}
