import { describe, expect, it } from 'vitest';
import { compileFiles } from '../../compiler/compile.js';
import { drillIntervalOf, parseToday, referenceDateOf, todayFromEnv } from '../../compiler/project/drill-facts.js';
import { compileWith, findings, planHashes, record, runbook, tree } from './drill-tree.js';

/**
 * Freshness warnings appear and disappear as drill records and runbook hashes change. `failover`
 * is critical (90d by default), `restore` important (30d), `smoke` standard (no interval).
 */
const hashes = planHashes();
const live = (name: string, endedAt: string, over = {}) =>
  record(name, endedAt, { graphHash: hashes.get(name)!, ...over });

describe('drill freshness', () => {
  it('says nothing without records and without today: nothing to measure against', () => {
    expect(findings(compileFiles(tree))).toEqual([]);
  });

  it('warns for every runbook with an interval when today is given and nothing was drilled', () => {
    expect(findings(compileWith([], { today: '2026-03-01' }))).toEqual([
      'drill-overdue failover',
      'drill-overdue restore',
    ]);
  });

  it('measures from the newest record when no today is given: an old success is overdue', () => {
    const result = compileWith([live('failover', '2025-09-01T10:00:00Z'), live('restore', '2026-01-10T10:00:00Z')]);
    // 2025-09-01 + 90d < 2026-01-10, the newest record; restore was drilled that day.
    expect(findings(result)).toEqual(['drill-overdue failover']);
    expect(result.drillReferenceDate).toMatchObject({ iso: '2026-01-10T10:00:00.000Z', source: 'record' });
    const d = result.diagnostics.find((x) => x.code === 'drill-overdue')!;
    expect(d.severity).toBe('warning');
    expect(d.file).toBe('runbooks/failover.yaml');
    expect(result.project.files.get(d.file)!.text.slice(d.range.start, d.range.end)).toBe('critical');
  });

  it('disappears with a recent successful live drill of the current runbook', () => {
    const records = [
      live('failover', '2025-09-01T10:00:00Z'),
      live('restore', '2026-01-10T10:00:00Z'),
      live('failover', '2026-01-05T10:00:00Z'),
    ];
    expect(findings(compileWith(records))).toEqual([]);
  });

  it('counts a drill exactly on the interval boundary, not a millisecond before', () => {
    const on = [live('failover', '2025-10-12T10:00:00Z'), live('restore', '2026-01-10T10:00:00Z')];
    expect(findings(compileWith(on))).toEqual([]);
    const before = [live('failover', '2025-10-12T09:59:59.999Z'), live('restore', '2026-01-10T10:00:00Z')];
    expect(findings(compileWith(before))).toEqual(['drill-overdue failover']);
  });

  it('does not count dry-run drills, nor live drills that did not succeed', () => {
    for (const over of [
      { mode: 'dry-run' as const },
      { status: 'failed' as const },
      { status: 'rolled-back' as const },
    ]) {
      const records = [live('failover', '2026-01-05T10:00:00Z', over), live('restore', '2026-01-10T10:00:00Z')];
      expect(findings(compileWith(records)), JSON.stringify(over)).toEqual(['drill-overdue failover']);
    }
  });

  it('does not count a loopback demo, an undeclared environment or an unrecorded one, and says why', () => {
    // The runbooks of the tree declare `production-drill` (drill-tree.ts): only drills of it count.
    for (const environment of [
      { name: 'local', source: 'demo' as const },
      { name: 'production-drill', source: 'demo' as const },
      { name: 'staging', source: 'cli' as const },
      { source: 'none' as const },
      undefined,
    ]) {
      const records = [
        live('failover', '2026-01-05T10:00:00Z', { environment }),
        live('restore', '2026-01-10T10:00:00Z'),
      ];
      const result = compileWith(records);
      expect(findings(result), JSON.stringify(environment)).toEqual(['drill-overdue failover']);
      const message = result.diagnostics.find((d) => d.code === 'drill-overdue')!.message;
      expect(message).toContain(
        'none of its 1 drill record(s) is a successful live drill against a declared environment',
      );
      expect(message).toContain('declared: production-drill');
    }
    const demo = compileWith([
      live('failover', '2026-01-05T10:00:00Z', { environment: { name: 'local', source: 'demo' } }),
      live('restore', '2026-01-10T10:00:00Z'),
    ]);
    expect(demo.diagnostics.find((d) => d.code === 'drill-overdue')!.message).toContain(
      '1 succeeded against local (the loopback demo), which does not count',
    );
    // The same drill against the declared environment counts.
    const real = [live('failover', '2026-01-05T10:00:00Z'), live('restore', '2026-01-10T10:00:00Z')];
    expect(findings(compileWith(real))).toEqual([]);
  });

  it('reappears when the runbook changes after its drill (another graph hash)', () => {
    const records = [live('failover', '2026-01-05T10:00:00Z'), live('restore', '2026-01-10T10:00:00Z')];
    expect(findings(compileWith(records))).toEqual([]);
    const changed = tree.map((f) =>
      f.path === 'runbooks/failover.yaml' ? runbook('failover', 'critical', 'echo restoring again') : f,
    );
    const result = compileWith(records, { files: changed });
    expect(findings(result)).toEqual(['drill-stale failover']);
    const d = result.diagnostics.find((x) => x.code === 'drill-stale')!;
    expect(result.project.files.get(d.file)!.text.slice(d.range.start, d.range.end)).toBe('failover');
    // A new live drill of the changed runbook clears it.
    const redrilled = [
      ...records,
      live('failover', '2026-01-12T10:00:00Z', { graphHash: planHashes(changed).get('failover')! }),
    ];
    expect(findings(compileWith(redrilled, { files: changed }))).toEqual([]);
  });

  it('moves on with today: a fresh drill becomes overdue once the interval has passed', () => {
    const records = [live('failover', '2026-01-05T10:00:00Z'), live('restore', '2026-01-10T10:00:00Z')];
    expect(findings(compileWith(records, { today: '2026-02-01' }))).toEqual([]);
    expect(findings(compileWith(records, { today: '2026-02-10' }))).toEqual(['drill-overdue restore']);
    expect(findings(compileWith(records, { today: '2026-04-10' }))).toEqual([
      'drill-overdue failover',
      'drill-overdue restore',
    ]);
    // A today older than the records does not turn the clock back.
    const early = compileWith(records, { today: '2025-01-01' });
    expect(early.drillReferenceDate).toMatchObject({ source: 'record', iso: '2026-01-10T10:00:00.000Z' });
  });

  it('gives the same findings for the same files, whatever the wall clock says', () => {
    const records = [live('failover', '2025-09-01T10:00:00Z'), live('restore', '2026-01-10T10:00:00Z')];
    const a = compileWith(records).diagnostics;
    const b = compileWith([...records].reverse()).diagnostics;
    expect(b).toEqual(a);
  });

  it('ignores runbooks whose tier has no interval', () => {
    const records = [
      record('smoke', '2020-01-01T00:00:00Z', { mode: 'dry-run' }),
      live('restore', '2026-01-10T10:00:00Z'),
      live('failover', '2026-01-09T10:00:00Z'),
    ];
    expect(findings(compileWith(records))).toEqual([]);
  });
});

describe('intervals and dates', () => {
  it('uses the Directory interval, else 90d for critical, else none', () => {
    const dir = {
      tiers: { critical: {}, important: { drillInterval: '30d' }, standard: {}, strict: { drillInterval: '7d' } },
    };
    expect(drillIntervalOf('critical', dir)).toEqual({ tier: 'critical', text: '90d', ms: 90 * 86_400_000 });
    expect(drillIntervalOf('important', dir)?.text).toBe('30d');
    expect(drillIntervalOf('standard', dir)).toBeUndefined();
    expect(drillIntervalOf(undefined, dir)).toBeUndefined();
    expect(drillIntervalOf('critical', undefined)?.text).toBe('90d');
  });

  it('takes the newest of the records and today as the reference date', () => {
    const records = [record('x', '2026-01-10T10:00:00Z'), record('x', '2026-01-02T10:00:00Z')];
    expect(referenceDateOf([])).toBeUndefined();
    expect(referenceDateOf(records)?.iso).toBe('2026-01-10T10:00:00.000Z');
    expect(referenceDateOf(records, parseToday('2026-02-01'))).toMatchObject({
      source: 'today',
      iso: '2026-02-01T00:00:00.000Z',
    });
  });

  it('accepts dates and zoned date-times for today, and refuses local times', () => {
    expect(parseToday('2026-02-01T12:00:00Z')).toBe(Date.parse('2026-02-01T12:00:00Z'));
    expect(parseToday('2026-02-01T12:00:00+02:00')).toBe(Date.parse('2026-02-01T10:00:00Z'));
    for (const bad of ['2026-02-01T12:00:00', 'yesterday', '2026-13-45', ''])
      expect(() => parseToday(bad), bad).toThrow(RangeError);
    expect(todayFromEnv({})).toBeUndefined();
    expect(todayFromEnv({ RUNBOOK_TODAY: ' 2026-02-01 ' })).toBe(Date.parse('2026-02-01T00:00:00Z'));
  });
});
