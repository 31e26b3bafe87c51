// Synthetic step graphs (IR) for the executor benchmark (bench/executor.js). Deterministic: the
// same options always give the same graph, durations and critical path, so runs are comparable.

/** A minimal valid IrNode: the fields the scheduler and the audit log read. */
function node(id, phase, needs) {
  return {
    id,
    phase,
    title: id,
    uses: 'wait',
    with: {},
    env: {},
    needs,
    idempotent: true,
    irreversible: false,
    recovery: false,
    outputs: {},
    assert: [],
    source: { file: 'bench', line: 1, column: 1 },
  };
}

function graph(name, phases, nodes) {
  return {
    irVersion: 1,
    name,
    title: name,
    origin: { kind: 'Runbook', file: 'bench', format: 'yaml' },
    tags: [],
    objectives: {},
    inputs: {},
    secrets: [],
    onFailure: 'abort',
    phases,
    nodes,
    resources: { templates: {}, checklists: {}, audiences: {}, roles: {}, approvers: {} },
    rto: { phases: [], expectedMs: 0, worstCaseMs: 0, criticalPath: [], status: 'ok', unestimated: [] },
    planHash: '0'.repeat(64),
  };
}

/** mulberry32: a small seeded PRNG, so "random" graphs are the same on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `layers` layers of `width` steps; each step needs the step below it in the previous layer and,
 * for every other step, one more step of that layer. Phases group `layersPerPhase` layers.
 * @returns {{ graph: object, steps: number, edges: number }}
 */
export function layeredGraph({ width = 100, layers = 100, layersPerPhase = 10 } = {}) {
  const nodes = [];
  const phases = [];
  let edges = 0;
  const id = (l, i) => `s${String(l).padStart(3, '0')}-${String(i).padStart(3, '0')}`;
  for (let l = 0; l < layers; l++) {
    const phase = `phase-${Math.floor(l / layersPerPhase)}`;
    if (l % layersPerPhase === 0) phases.push({ id: phase, title: phase, parallel: true, steps: [] });
    for (let i = 0; i < width; i++) {
      const needs = l === 0 ? [] : [id(l - 1, i)];
      const other = (i * 7 + 3) % width;
      if (l > 0 && i % 2 === 0 && other !== i) needs.push(id(l - 1, other));
      edges += needs.length;
      nodes.push(node(id(l, i), phase, needs));
      phases.at(-1).steps.push(id(l, i));
    }
  }
  return { graph: graph('bench-layered', phases, nodes), steps: nodes.length, edges };
}

/**
 * A DAG of `wait` steps with durations of 20–200 ms: `layers` layers of `width` steps. One step
 * per layer (the spine) takes `spineMs` and needs the spine step before it, so the critical path
 * is exactly `layers × spineMs` (no other step is longer); the others need one or two random steps
 * of the previous layer.
 * @returns {{ graph: object, durations: Map<string, number>, criticalPathMs: number, totalWorkMs: number }}
 */
export function waitGraph({ layers = 10, width = 9, spineMs = 200, minMs = 20, maxMs = 200, seed = 42 } = {}) {
  const random = prng(seed);
  const nodes = [];
  const durations = new Map();
  const id = (l, i) => `w${l}-${i}`;
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const needs = [];
      if (l > 0) {
        needs.push(id(l - 1, i === 0 ? 0 : Math.floor(random() * width)));
        const second = id(l - 1, Math.floor(random() * width));
        if (i !== 0 && random() < 0.5 && !needs.includes(second)) needs.push(second);
      }
      nodes.push(node(id(l, i), 'wait', needs));
      durations.set(id(l, i), i === 0 ? spineMs : Math.round(minMs + random() * (maxMs - minMs)));
    }
  }
  const phases = [{ id: 'wait', title: 'wait', parallel: true, steps: nodes.map((n) => n.id) }];
  const g = graph('bench-wait', phases, nodes);
  const totalWorkMs = [...durations.values()].reduce((a, b) => a + b, 0);
  return { graph: g, durations, criticalPathMs: criticalPath(g, durations), totalWorkMs };
}

/** Longest path through the graph (nodes in topological order), in ms. */
export function criticalPath(g, durations) {
  const finish = new Map();
  let longest = 0;
  for (const n of g.nodes) {
    const start = Math.max(0, ...n.needs.map((d) => finish.get(d)));
    const end = start + durations.get(n.id);
    finish.set(n.id, end);
    longest = Math.max(longest, end);
  }
  return longest;
}
