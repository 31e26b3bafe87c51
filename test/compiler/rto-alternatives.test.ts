import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { docsEmitter } from '../../compiler/emit/docs/index.js';
import { branchView, exclusive, parseCondition } from '../../compiler/graph/alternatives.js';
import type { IrGraph } from '../../ir/types.js';

const result = compileTree(join(import.meta.dirname, '..', 'fixtures', 'alternatives'));
const graph = result.graphs.find((g) => g.name === 'restore-either-way') as IrGraph;
const minutes = (n: number): number => n * 60_000;

describe('RTO analysis of if: alternatives', () => {
  it('compiles the fixture', () => {
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(graph).toBeDefined();
  });

  it('takes the longer branch, not the sum of both', () => {
    expect(graph.rto.expectedMs).toBe(minutes(1 + 8 + 1));
    expect(graph.rto.worstCaseMs).toBe(minutes(2 + 10 + 2));
    expect(graph.rto.criticalPath).toEqual(['prepare', 'slow-find', 'slow-restore', 'check']);
    expect(graph.rto.status).toBe('ok');
  });

  it('says so under the RTO table of the page', () => {
    const page = docsEmitter.emit(result).find((f) => f.path.endsWith('Runbook-restore-either-way.md'))!;
    expect(page.content).toContain(
      'Only one branch of the decision on `inputs.mode` runs (`= fast`: `fast-restore`; `= slow`: `slow-find` → `slow-restore`)',
    );
  });

  it('keeps the IR sequence (the executor still runs the steps in order)', () => {
    expect(graph.nodes.find((n) => n.id === 'slow-find')?.needs).toEqual(['fast-restore']);
  });

  it('finds the group and puts its branches side by side', () => {
    const view = branchView(graph.nodes);
    expect(view.groups).toEqual([
      {
        phase: 'restore',
        subject: 'inputs.mode',
        entry: ['prepare'],
        branches: [
          { condition: { op: 'eq', subject: 'inputs.mode', value: 'fast' }, steps: ['fast-restore'] },
          { condition: { op: 'eq', subject: 'inputs.mode', value: 'slow' }, steps: ['slow-find', 'slow-restore'] },
        ],
      },
    ]);
    expect(view.needs.get('slow-find')).toEqual(['prepare']);
    expect(view.needs.get('check')).toEqual(['fast-restore', 'slow-restore']);
  });
});

describe('conditions', () => {
  it('parses eq/ne of a reference and a literal, either side', () => {
    expect(parseCondition(`{{ne steps.verify.status "failed"}}`)).toEqual({
      op: 'ne',
      subject: 'steps.verify.status',
      value: 'failed',
    });
    expect(parseCondition(`{{eq 'x' inputs.a}}`)).toEqual({ op: 'eq', subject: 'inputs.a', value: 'x' });
    expect(parseCondition('{{inputs.flag}}')).toBeUndefined();
    expect(parseCondition('{{eq inputs.a inputs.b}}')).toBeUndefined();
    expect(parseCondition('{{and (eq inputs.a "x") inputs.b}}')).toBeUndefined();
  });

  it('knows which pairs exclude each other', () => {
    const c = (t: string) => parseCondition(t)!;
    expect(exclusive(c('{{eq inputs.a "x"}}'), c('{{eq inputs.a "y"}}'))).toBe(true);
    expect(exclusive(c('{{eq inputs.a "x"}}'), c('{{ne inputs.a "x"}}'))).toBe(true);
    expect(exclusive(c('{{ne inputs.a "x"}}'), c('{{ne inputs.a "y"}}'))).toBe(false);
    expect(exclusive(c('{{eq inputs.a "x"}}'), c('{{eq inputs.b "y"}}'))).toBe(false);
    expect(exclusive(c('{{eq inputs.a "x"}}'), c('{{eq inputs.a "x"}}'))).toBe(false);
  });
});
