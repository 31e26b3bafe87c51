import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFiles, compileTree } from '../../compiler/compile.js';
import { parseDrillRecords } from '../../compiler/load/drill-records.js';
import { readDrillFiles } from '../../compiler/project/read-drill-files.js';
import { positionAt, type SourceFile } from '../../compiler/source/source-file.js';
import { record, recordFile, tree } from './drill-tree.js';

/** Drill records are read from drills/records/, validated against their schema, and sorted by date. */
const fixture = join(import.meta.dirname, '..', 'fixtures', 'drills', 'tree');

const at = (file: SourceFile, offset: number) => positionAt(file, offset);

describe('reading drill records', () => {
  it('reads records and reports beside the runbook tree, sorted', () => {
    const { files, diagnostics } = readDrillFiles(fixture);
    expect(diagnostics).toEqual([]);
    expect(files.records.map((f) => f.path)).toEqual([
      'drills/records/20251001-090000-region-failover-c3d4.json',
      'drills/records/20260115-140000-region-failover-a1b2.json',
      'drills/records/20260120-080000-restore-orders-e5f6.json',
    ]);
    expect(files.reports.map((f) => f.path)).toEqual([
      'drills/reports/20251001-090000-region-failover-c3d4.md',
      'drills/reports/20260115-140000-region-failover-a1b2.md',
    ]);
  });

  it('exposes the valid records on the compile result, oldest first', () => {
    const result = compileTree(fixture);
    expect(result.drillRecords.map((r) => r.runId)).toEqual([
      '20251001-090000-region-failover-c3d4',
      '20260115-140000-region-failover-a1b2',
      '20260120-080000-restore-orders-e5f6',
    ]);
    expect(result.drillReports.map((r) => r.runId)).toEqual([
      '20251001-090000-region-failover-c3d4',
      '20260115-140000-region-failover-a1b2',
    ]);
    // The reports are Markdown but not runbooks: nothing complains about their missing front matter.
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('is content with a tree that has no drills/ at all', () => {
    const { files, diagnostics } = readDrillFiles(join(import.meta.dirname, '..', 'fixtures', 'workflows', 'tree'));
    expect(diagnostics).toEqual([]);
    expect(files).toEqual({ records: [], reports: [] });
  });

  it('sorts by endedAt, then run id, whatever the file order', () => {
    const files = [
      record('b', '2026-01-02T00:00:00Z', { runId: 'z' }),
      record('a', '2026-01-01T00:00:00Z'),
      record('b', '2026-01-02T00:00:00Z', { runId: 'y' }),
    ].map(recordFile);
    expect(parseDrillRecords(files).records.map((r) => r.runId)).toEqual(['20260101-a', 'y', 'z']);
  });

  it('reports a file that is not JSON where the parser stopped', () => {
    const file = { path: 'drills/records/r1.json', text: '{\n  "runId": "r1"\n  "mode": "live"\n}\n' };
    const { records, diagnostics } = parseDrillRecords([file]);
    expect(records).toEqual([]);
    expect(diagnostics.map((d) => [d.code, d.severity, d.file, at(file, d.range.start)])).toEqual([
      ['drill-record-invalid', 'error', 'drills/records/r1.json', { line: 3, column: 3 }],
    ]);
  });

  it('reports a duplicate key, which JSON.parse would silently accept', () => {
    const file = { path: 'drills/records/r1.json', text: '{ "runId": "r1", "runId": "r2" }' };
    const d = parseDrillRecords([file]).diagnostics;
    expect(d.map((x) => x.code)).toEqual(['drill-record-invalid']);
    expect(d[0].message).toMatch(/duplicate|unique/i);
  });

  it('reports schema violations at the offending value', () => {
    const bad = {
      ...record('failover', '2026-01-15T10:00:00Z'),
      mode: 'rehearsal',
      rto: { measuredMs: -1 },
      extra: true,
    };
    const file = { path: `drills/records/${bad.runId}.json`, text: JSON.stringify(bad, null, 2) };
    const { records, diagnostics } = parseDrillRecords([file]);
    expect(records).toEqual([]);
    const where = diagnostics.map((d) => file.text.slice(d.range.start, d.range.end));
    expect(diagnostics.every((d) => d.code === 'drill-record-invalid')).toBe(true);
    expect(where).toEqual(expect.arrayContaining(['"rehearsal"', '-1', '"extra"']));
  });

  it('requires the file to be named after the run id, and a run that ends after it starts', () => {
    const r = record('failover', '2026-01-15T10:00:00Z');
    const renamed = { ...recordFile(r), path: 'drills/records/copy.json' };
    const backwards = recordFile({ ...r, startedAt: '2026-01-16T10:00:00Z' });
    const { records, diagnostics } = parseDrillRecords([renamed, backwards]);
    expect(records).toEqual([]);
    expect(
      diagnostics.map((d) => [d.file, d.message.includes('copy.json') || d.message.includes('before startedAt')]),
    ).toEqual([
      ['drills/records/copy.json', true],
      [backwards.path, true],
    ]);
  });

  it('reports malformed records through the compile, with the file known for printing', () => {
    const good = record('failover', '2026-01-15T10:00:00Z');
    const result = compileFiles(tree, {
      drills: { records: [recordFile(good), { path: 'drills/records/x.json', text: 'nope' }], reports: [] },
    });
    expect(result.diagnostics.filter((d) => d.code === 'drill-record-invalid').map((d) => d.file)).toEqual([
      'drills/records/x.json',
    ]);
    expect(result.project.files.has('drills/records/x.json')).toBe(true);
    expect(result.drillRecords.map((r) => r.runId)).toEqual([good.runId]);
    // The runbooks still compile: a bad record is an error of its own file only.
    expect(result.graphs.map((g) => g.name)).toEqual(['failover', 'restore', 'smoke']);
  });
});
