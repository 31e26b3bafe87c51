/**
 * The retention planner: pure (no I/O, no clock), so every decision is table-tested. Given the
 * backups found in one place (an RDS region, a backup directory), the plan's retention and the
 * time, it says what to keep, delete, move to the cold location or mark as a compliance
 * (archive) copy, and why. The appliers (aws.rds.prune-db-snapshots, files.prune-backups) only
 * carry the decisions out. The model is documented in docs/format-reference.md (BackupPlan).
 */

/** Where a backup is: `hot` (primary location), `cold` (the cold location), `archive` (a compliance copy). */
export type RetentionTier = 'hot' | 'cold' | 'archive';

export interface BackupEntry {
  readonly id: string;
  /** When the backup was taken (ms since the epoch). */
  readonly createdAt: number;
  readonly tier: RetentionTier;
  /** Finished and usable (`available` snapshot, a complete file). Anything else is never touched. */
  readonly complete: boolean;
  /** Made by this plan (its tags / name prefix). Anything else is never touched. */
  readonly owned: boolean;
}

/** Durations in ms; an absent tier falls back as documented (cold → hot, archive → none). */
export interface RetentionPolicy {
  readonly hot?: number;
  readonly cold?: number;
  readonly archive?: number;
}

export interface PlanOptions {
  /** The backups have a cold location to move to after `hot` (a plan's `archiveDirectory`). */
  readonly coldLocation: boolean;
  /** Compliance copies are marked (`archive` decisions); without it they are only kept. */
  readonly markArchive: boolean;
}

export type RetentionAction = 'keep' | 'delete' | 'move' | 'archive' | 'ignore';

export interface RetentionDecision {
  readonly id: string;
  readonly action: RetentionAction;
  readonly reason: string;
}

const DAY = 86_400_000;
const days = (ms: number) => `${Math.floor(ms / DAY)}d`;
const monthOf = (t: number) => new Date(t).toISOString().slice(0, 7);

/** One decision per entry, in the entries' order. */
export function planRetention(
  entries: readonly BackupEntry[],
  policy: RetentionPolicy,
  now: number,
  options: PlanOptions,
): RetentionDecision[] {
  const usable = entries.filter((e) => e.owned && e.complete);
  const newest = usable.reduce<BackupEntry | undefined>((a, e) => (!a || e.createdAt > a.createdAt ? e : a), undefined);
  const compliance = complianceCopies(usable, policy);
  return entries.map((e) => {
    if (!e.owned) return { id: e.id, action: 'ignore', reason: 'not made by this plan' };
    if (!e.complete) return { id: e.id, action: 'keep', reason: 'not complete: never touched' };
    const d = decide(e, policy, now, options, compliance.has(e.id));
    if (d.action === 'delete' && e === newest)
      return { id: e.id, action: 'keep', reason: `newest complete backup: kept whatever its age (${d.reason})` };
    return { id: e.id, ...d };
  });
}

/**
 * The compliance copy of each UTC month: one already in the archive tier, else the month's
 * oldest backup. Deterministic, so a run that was skipped, or a retry, picks the same one.
 */
export function complianceCopies(usable: readonly BackupEntry[], policy: RetentionPolicy): Set<string> {
  const out = new Set<string>();
  if (policy.archive === undefined) return out;
  const byMonth = new Map<string, BackupEntry[]>();
  for (const e of usable) byMonth.set(monthOf(e.createdAt), [...(byMonth.get(monthOf(e.createdAt)) ?? []), e]);
  for (const month of byMonth.values()) {
    const marked = month.filter((e) => e.tier === 'archive');
    if (marked.length) marked.forEach((e) => out.add(e.id));
    else
      out.add(
        month.reduce((a, e) => (e.createdAt < a.createdAt || (e.createdAt === a.createdAt && e.id < a.id) ? e : a)).id,
      );
  }
  return out;
}

function decide(
  e: BackupEntry,
  policy: RetentionPolicy,
  now: number,
  options: PlanOptions,
  isCompliance: boolean,
): Omit<RetentionDecision, 'id'> {
  const age = now - e.createdAt;
  const keepFor = policy.cold ?? policy.hot;
  // Marked by a plan that had `archive` then: removing the tier must not destroy compliance copies.
  if (e.tier === 'archive' && policy.archive === undefined)
    return { action: 'keep', reason: 'compliance copy and the plan has no archive retention: delete it by hand' };
  if (isCompliance && policy.archive !== undefined) {
    if (age > policy.archive)
      return { action: 'delete', reason: `compliance copy ${days(age)} old, past archive ${days(policy.archive)}` };
    if (keepFor === undefined || age > keepFor) {
      if (options.markArchive && e.tier !== 'archive')
        return { action: 'archive', reason: `monthly compliance copy, kept until archive ${days(policy.archive)}` };
      if (options.coldLocation && e.tier === 'hot')
        return {
          action: 'move',
          reason: `monthly compliance copy, moved to the cold location until archive ${days(policy.archive)}`,
        };
      return {
        action: 'keep',
        reason: `monthly compliance copy, ${days(age)} old, kept until archive ${days(policy.archive)}`,
      };
    }
  }
  if (keepFor !== undefined && age > keepFor)
    return {
      action: 'delete',
      reason: `${days(age)} old, past ${policy.cold !== undefined ? 'cold' : 'hot'} ${days(keepFor)}`,
    };
  if (options.coldLocation && e.tier === 'hot' && policy.hot !== undefined && age > policy.hot) {
    return { action: 'move', reason: `${days(age)} old, past hot ${days(policy.hot)}: moved to the cold location` };
  }
  return {
    action: 'keep',
    reason: `${days(age)} old, within ${policy.cold !== undefined ? 'cold' : 'hot'}${keepFor !== undefined ? ` ${days(keepFor)}` : ''}`,
  };
}
