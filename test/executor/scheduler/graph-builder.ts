import type { IrGraph, IrNode } from '../../../ir/types.js';

type NodeSpec = Partial<IrNode> & { id: string };

/** A minimal valid IrGraph for scheduler tests: phases of node specs, needs as given. */
export function graphOf(phases: Record<string, NodeSpec[]>, extra: Partial<IrGraph> = {}): IrGraph {
  const nodes: IrNode[] = Object.entries(phases).flatMap(([phase, specs]) =>
    specs.map((s) => ({
      phase,
      title: s.id,
      uses: 'fake',
      with: {},
      env: {},
      needs: [],
      idempotent: false,
      irreversible: false,
      recovery: false,
      outputs: {},
      assert: [],
      source: { file: 'x', line: 1, column: 1 },
      ...s,
    })),
  );
  return {
    irVersion: 1,
    name: 'test',
    title: 'Test',
    origin: { kind: 'Runbook', file: 'x', format: 'yaml' },
    tags: [],
    objectives: {},
    inputs: {},
    secrets: [],
    onFailure: 'abort',
    phases: Object.entries(phases).map(([id, specs]) => ({
      id,
      title: id,
      parallel: false,
      steps: specs.map((s) => s.id),
    })),
    nodes,
    resources: { templates: {}, checklists: {}, audiences: {}, roles: {}, approvers: {} },
    rto: { phases: [], expectedMs: 0, worstCaseMs: 0, criticalPath: [], status: 'ok', unestimated: [] },
    planHash: '0'.repeat(64),
    ...extra,
  };
}
