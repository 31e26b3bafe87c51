import { describe, expect, it } from 'vitest';
import {
  planRetention,
  type BackupEntry,
  type PlanOptions,
  type RetentionPolicy,
} from '../../../executor/retention/plan.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-05T03:00:00Z');
/** The library's policy: hot 30d, cold 90d, archive 2555d (7 years). */
const LIB: RetentionPolicy = { hot: 30 * DAY, cold: 90 * DAY, archive: 2555 * DAY };
const RDS: PlanOptions = { coldLocation: false, markArchive: true };
const FILES: PlanOptions = { coldLocation: true, markArchive: false };

const entry = (id: string, ageMs: number, over: Partial<BackupEntry> = {}): BackupEntry => ({
  id,
  createdAt: NOW - ageMs,
  tier: 'cold',
  complete: true,
  owned: true,
  ...over,
});
const actions = (entries: BackupEntry[], policy: RetentionPolicy, options: PlanOptions) =>
  Object.fromEntries(planRetention(entries, policy, NOW, options).map((d) => [d.id, d.action]));

describe('planRetention', () => {
  // Every entry also has a newer one (`fresh`), so the newest-kept rule stays out of the way.
  const fresh = entry('fresh', DAY);
  it.each([
    // [what, age, policy, options, expected action]
    [
      'RDS snapshot 31 days old: manual snapshots live 90d (003:3477), the old code deleted them at hot',
      31 * DAY,
      LIB,
      RDS,
      'keep',
    ],
    ['RDS snapshot exactly 90 days old: kept (older than, not as old as)', 90 * DAY, LIB, RDS, 'keep'],
    ['RDS snapshot 90 days + 1 ms: deleted', 90 * DAY + 1, { ...LIB, archive: undefined }, RDS, 'delete'],
    ['without cold, hot is the limit', 30 * DAY + 1, { hot: 30 * DAY }, RDS, 'delete'],
    ['without cold, hot is the limit (inside)', 30 * DAY, { hot: 30 * DAY }, RDS, 'keep'],
    ['file 30 days old: still hot', 30 * DAY, LIB, FILES, 'keep'],
    ['file 30 days + 1 ms: moves to the cold location', 30 * DAY + 1, LIB, FILES, 'move'],
    [
      'file past hot without a cold location: stays',
      45 * DAY,
      LIB,
      { coldLocation: false, markArchive: false },
      'keep',
    ],
  ] as const)('%s', (_what, age, policy, options, expected) => {
    const tier = options === FILES ? 'hot' : 'cold';
    expect(actions([entry('x', age, { tier }), fresh], policy, options).x).toBe(expected);
  });

  it('keeps the newest complete backup whatever its age; an incomplete newer one does not count', () => {
    const old = entry('old', 400 * DAY);
    const older = entry('older', 500 * DAY);
    const creating = entry('creating', DAY, { complete: false });
    const d = planRetention([old, older, creating], { cold: 90 * DAY }, NOW, RDS);
    expect(Object.fromEntries(d.map((x) => [x.id, x.action]))).toEqual({
      old: 'keep',
      older: 'delete',
      creating: 'keep',
    });
    expect(d[0].reason).toMatch(/newest complete backup/);
  });

  it('never touches a backup this plan did not make, however old', () => {
    const d = planRetention([entry('foreign', 9000 * DAY, { owned: false }), fresh], LIB, NOW, RDS);
    expect(d[0]).toEqual({ id: 'foreign', action: 'ignore', reason: 'not made by this plan' });
  });

  it('marks the oldest snapshot of each UTC month past cold as its compliance copy, and deletes the rest', () => {
    // September 2026 is past 90 days on 2026-12-05.
    const sept = (day: number) =>
      entry(`2026-09-${day}`, NOW - Date.parse(`2026-09-${String(day).padStart(2, '0')}T03:00:00Z`));
    const a = actions([sept(1), sept(2), sept(3), fresh], LIB, RDS);
    expect(a).toEqual({ '2026-09-1': 'archive', '2026-09-2': 'delete', '2026-09-3': 'delete', fresh: 'keep' });
  });

  it("an already marked copy is the month's compliance copy: kept until archive, then deleted", () => {
    const marked = entry('marked', 100 * DAY, { tier: 'archive' });
    const olderSameMonth = entry('older', 100 * DAY + 3_600_000);
    expect(actions([marked, olderSameMonth, fresh], LIB, RDS)).toEqual({
      marked: 'keep',
      older: 'delete',
      fresh: 'keep',
    });
    expect(actions([entry('m', 2555 * DAY, { tier: 'archive' }), fresh], LIB, RDS).m).toBe('keep');
    expect(actions([entry('m', 2555 * DAY + 1, { tier: 'archive' }), fresh], LIB, RDS).m).toBe('delete');
  });

  it('a marked copy survives a plan that no longer has archive retention', () => {
    expect(actions([entry('m', 400 * DAY, { tier: 'archive' }), fresh], { cold: 90 * DAY }, RDS).m).toBe('keep');
  });

  it('files: the monthly compliance backup moves to the cold location and is kept, the others are deleted after cold', () => {
    const aug = (day: number, tier: 'hot' | 'cold') =>
      entry(`aug-${day}`, NOW - Date.parse(`2026-08-${String(day).padStart(2, '0')}T02:00:00Z`), { tier });
    expect(actions([aug(1, 'hot'), aug(2, 'cold'), fresh], LIB, FILES)).toEqual({
      'aug-1': 'move',
      'aug-2': 'delete',
      fresh: 'keep',
    });
    expect(actions([aug(1, 'cold'), aug(2, 'cold'), fresh], LIB, FILES)).toEqual({
      'aug-1': 'keep',
      'aug-2': 'delete',
      fresh: 'keep',
    });
  });

  it('is deterministic: a second plan over what the first left has nothing more to do', () => {
    const sept = [1, 2, 3].map((d) => entry(`s${d}`, NOW - Date.parse(`2026-09-0${d}T03:00:00Z`)));
    const first = planRetention([...sept, fresh], LIB, NOW, RDS);
    const left = [...sept, fresh]
      .filter((e) => first.find((d) => d.id === e.id)?.action !== 'delete')
      .map((e) => (first.find((d) => d.id === e.id)?.action === 'archive' ? { ...e, tier: 'archive' as const } : e));
    expect(planRetention(left, LIB, NOW, RDS).map((d) => d.action)).toEqual(['keep', 'keep']);
  });
});
