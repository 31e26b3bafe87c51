import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { diffCompile } from '../../compiler/diff/index.js';

/**
 * test/diff/fixtures/{base,head}: a pull request that changes `failover` (steps added, removed and
 * changed, a gate loosened, a new point of no return, a slower critical path), removes `cleanup`,
 * adds `restore`, only reformats `stable`, and proposes a run request.
 */
const fixtures = join(import.meta.dirname, 'fixtures');
const base = compileTree(join(fixtures, 'base'));
const head = compileTree(join(fixtures, 'head'));
const diff = diffCompile(base, head);
const failover = diff.runbooks.find((r) => r.name === 'failover')!;

describe('diffCompile', () => {
  it('compiles both sides cleanly', () => {
    expect(base.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(head.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });

  it('lists added, removed and changed runbooks by name; a reformatted one is unchanged', () => {
    expect(diff.runbooks.map((r) => [r.name, r.kind])).toEqual([
      ['cleanup', 'removed'],
      ['failover', 'changed'],
      ['restore', 'added'],
    ]);
  });

  it('reports steps added, removed and changed, with the fields that changed (source ignored)', () => {
    expect(failover.steps.added.map((s) => s.id)).toEqual(['notify', 'purge-old']);
    expect(failover.steps.removed.map((s) => s.id)).toEqual(['dns']);
    expect(failover.steps.changed.map((s) => [s.id, s.fields])).toEqual([
      ['declare', ['approval', 'with']],
      ['promote', ['estimateMs', 'timeoutMs', 'with']],
    ]);
    expect(failover.steps.changed.flatMap((s) => s.fields)).not.toContain('source');
    expect(failover.settings).toEqual(['phases']);
  });

  it('shows approval gates and points of no return before and after', () => {
    expect(failover.gates.changed).toBe(true);
    expect(failover.gates.before.map((g) => [g.step, g.approval.required])).toEqual([['declare', 2]]);
    expect(failover.gates.after.map((g) => [g.step, g.approval.required])).toEqual([['declare', 1]]);
    expect(failover.irreversible).toEqual({ before: ['promote'], after: ['promote', 'purge-old'], changed: true });
  });

  it('flags the RTO regression per phase and in total', () => {
    expect(failover.regression).toBe(true);
    const rows = Object.fromEntries(failover.rto.phases.map((r) => [r.id, r]));
    expect(rows.assess.regressions).toEqual([]);
    expect(rows.failover.regressions).toEqual(['expected', 'worst-case']);
    expect(rows.failover.before).toMatchObject({ budgetMs: 20 * 60_000, expectedMs: 6 * 60_000, status: 'ok' });
    expect(rows.failover.after).toMatchObject({ expectedMs: 9 * 60_000 + 10_000 });
    expect(failover.rto.total.regressions).toEqual(['expected', 'worst-case']);
    expect(failover.rto.total.after?.budgetMs).toBe(60 * 60_000);
  });

  it('reports a status that got worse as a regression', () => {
    const slower = structuredClone(head.graphs.find((g) => g.name === 'failover')!);
    const rto = { ...slower.rto, status: 'over' as const };
    const worse = {
      ...head,
      graphs: head.graphs.map((g) => (g.name === 'failover' ? { ...slower, rto, planHash: 'x' } : g)),
    };
    const d = diffCompile(head, worse).runbooks.find((r) => r.name === 'failover')!;
    expect(d.rto.total.regressions).toEqual(['status']);
    expect(d.regression).toBe(true);
  });

  it('gives the new plan hash of each runbook', () => {
    const graph = (r: typeof head, name: string) => r.graphs.find((g) => g.name === name)!;
    expect(failover.planHash).toEqual({
      before: graph(base, 'failover').planHash,
      after: graph(head, 'failover').planHash,
    });
    expect(diff.runbooks.find((r) => r.name === 'restore')!.planHash).toEqual({
      after: graph(head, 'restore').planHash,
    });
    expect(diff.runbooks.find((r) => r.name === 'cleanup')!.planHash).toEqual({
      before: graph(base, 'cleanup').planHash,
    });
  });

  it('lists run requests added, and those whose plan moved because their runbook changed', () => {
    expect(diff.runRequests.map((r) => [r.request.file, r.kind])).toEqual([
      ['runs/2026-03-01-old-drill.yaml', 'changed'],
      ['runs/2026-03-14-failover.yaml', 'added'],
    ]);
    const [old, added] = diff.runRequests;
    expect(old.previousPlanHash).toBe(base.runRequests[0].planHash);
    expect(old.request.planHash).not.toBe(old.previousPlanHash);
    expect(added.request).toMatchObject({
      runbook: 'failover',
      inputs: { region: 'eu-west-1', reason: 'us-west-2 | degraded\n(see *INC-42*)' },
      drill: false,
      dryRun: false,
    });
    expect(added.plan).toMatchObject({ title: 'Region failover', steps: 5, irreversible: ['promote', 'purge-old'] });
  });

  it('finds nothing between a tree and itself', () => {
    expect(diffCompile(head, compileTree(join(fixtures, 'head')))).toEqual({ runbooks: [], runRequests: [] });
  });
});
