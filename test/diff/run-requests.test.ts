import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFiles, compileTree } from '../../compiler/compile.js';
import { resolveRequestInputs } from '../../compiler/load/run-request-inputs.js';
import { resolveInputs } from '../../executor/inputs/resolve-inputs.js';
import { runModeOf, runPlanHash } from '../../ir/plan-hash.js';
import { actions as registry } from '../../executor/actions/index.js';
import { buildPlan } from '../../executor/plan/build-plan.js';

/**
 * The compiler resolves a RunRequest's inputs with its own copy of the executor's rules (it may not
 * import executor code). These tests pin the two together: same values, same plan hash, and the
 * compiler reports a problem exactly when the executor would refuse.
 */
const head = compileTree(join(import.meta.dirname, 'fixtures', 'head'));
const failover = head.graphs.find((g) => g.name === 'failover')!;
const actions = await registry.loadAll();

const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: typed }
spec:
  inputs:
    region: { type: choice, options: [us-west-2, eu-west-1], default: us-west-2 }
    reason: { type: string, required: true }
    count: { type: number, default: 3 }
    ports: { type: choice, options: [80, 443] }
    dns: { type: boolean, default: true }
    note: { type: string }
  phases:
    - id: main
      steps:
        - id: go
          run: ./go.sh
          env: { A: "{{inputs.region}}", B: "{{inputs.reason}}", C: "{{inputs.count}}", D: "{{inputs.ports}}", E: "{{inputs.dns}}", F: "{{inputs.note}}" }
`;
const typed = compileFiles([{ path: 'runbooks/typed.yaml', text: runbook }]).graphs[0];

const cases: [string, Record<string, unknown>][] = [
  ['defaults only', { reason: 'x' }],
  ['strings coerced', { reason: 'x', count: ' 7 ', dns: 'no', ports: '443' }],
  ['typed values', { reason: 'x', count: 1.5, dns: false, ports: 80, region: 'eu-west-1' }],
  ['empty strings', { reason: '', note: '' }],
  ['boolean words', { reason: 'x', dns: 'ON' }],
  ['missing required', {}],
  ['unknown input', { reason: 'x', regoin: 'eu-west-1' }],
  ['not a number', { reason: 'x', count: 'many' }],
  ['empty number', { reason: 'x', count: '' }],
  ['not a boolean', { reason: 'x', dns: 'maybe' }],
  ['not an option', { reason: 'x', region: 'ap-south-1' }],
];

describe('RunRequest inputs resolve exactly as the executor resolves them', () => {
  it.each(cases)('%s', (_name, given) => {
    const ours = resolveRequestInputs(typed.inputs, given);
    let theirs: Record<string, unknown> | undefined;
    try {
      theirs = resolveInputs(typed, given);
    } catch {
      theirs = undefined;
    }
    if (theirs === undefined) {
      expect(ours.problems.length).toBeGreaterThan(0);
    } else {
      expect(ours.problems).toEqual([]);
      expect(ours.values).toEqual(theirs);
      const live = { mode: 'live' as const, children: {} };
      expect(runPlanHash(typed, ours.values, live)).toBe(runPlanHash(typed, theirs, live));
    }
  });

  it('gives each run request of a tree the plan hash the executor will compute', () => {
    expect(head.runRequests.length).toBe(2);
    for (const request of head.runRequests) {
      // The executor's own planner, in the request's mode, with the tree's graphs as children.
      const plan = buildPlan(failover, request.requested, {}, actions, {
        mode: runModeOf(request),
        lookup: (name) => head.graphs.find((g) => g.name === name),
      });
      expect(request.planHash).toBe(plan.planHash);
    }
  });

  it('gives no plan hash when the runbook has no graph or the inputs are bad', () => {
    const request = (inputs: string, target = 'typed') => ({
      path: 'runs/2026-03-14-go.yaml',
      text: `apiVersion: runbook/v1\nkind: RunRequest\nmetadata: { name: 2026-03-14-go }\nspec: { runbook: ${target}, reason: r, inputs: ${inputs} }\n`,
    });
    const bad = compileFiles([{ path: 'runbooks/typed.yaml', text: runbook }, request('{ count: many, reason: x }')]);
    expect(bad.runRequests[0].planHash).toBeUndefined();
    expect(bad.diagnostics.map((d) => d.code)).toContain('run-request-invalid-input');
    const unknown = compileFiles([{ path: 'runbooks/typed.yaml', text: runbook }, request('{}', 'nope')]);
    expect(unknown.runRequests[0].planHash).toBeUndefined();
    const good = compileFiles([{ path: 'runbooks/typed.yaml', text: runbook }, request('{ reason: x }')]);
    expect(good.runRequests[0].planHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads runs/ when it exists and does not require it', () => {
    const root = join(import.meta.dirname, '..', 'fixtures', 'workflows', 'injection');
    const result = compileTree(root);
    expect(result.runRequests).toEqual([]);
    expect(result.diagnostics.filter((d) => d.code === 'read-error')).toEqual([]);
  });
});
