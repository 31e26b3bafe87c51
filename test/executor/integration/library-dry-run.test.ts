import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { actions } from '../../../executor/actions/index.js';
import { sideEffectFreeActions } from '../../../executor/actions/catalog-meta.js';
import { loadGraph } from '../../../executor/run/load-graph.js';
import { runRunbook } from '../../../executor/run/run-runbook.js';
import type { IrInput } from '../../../ir/types.js';
import { libraryRoot } from '../../support/library-root.js';

/**
 * Every runbook of the library walks its whole graph in a dry run: each action's `plan` accepts
 * the rendered parameters, every expression resolves, and nothing is executed. Runs under a copy
 * of the compiled graphs, so their journals and locks never meet those of other test files.
 */
const { root, remove } = libraryRoot();
afterAll(remove);
const names = readdirSync(join(root, 'generated', 'graphs'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

/** Inputs whose value must look like something specific. */
const realistic: Record<string, Record<string, unknown>> = {
  'database-corruption-recovery': { recovery_point: '2026-11-22T09:30:00Z' },
};

const sample = (def: IrInput): unknown =>
  def.default ??
  (def.type === 'choice'
    ? def.options?.[0]
    : def.type === 'number'
      ? 1
      : def.type === 'boolean'
        ? true
        : 'drill-sample');

describe('library dry runs', () => {
  it.each(names)('%s', async (name) => {
    const graph = loadGraph(root, name);
    const inputs = {
      ...Object.fromEntries(Object.entries(graph.inputs).map(([k, d]) => [k, sample(d)])),
      ...realistic[name],
    };
    const approvals = [{ step: '*', approver: '@dry-run-approver', planHash: '' }];
    const outcome = await runRunbook({
      root,
      name,
      inputs,
      dryRun: true,
      initiator: '@dry-run',
      approvals,
      confirmBy: '@dry-run',
      interactive: false,
      signal: new AbortController().signal,
      env: {},
      actions,
      sideEffectFree: sideEffectFreeActions(),
    });
    const failed = [...outcome.result.steps]
      .filter(([, s]) => s.status === 'failed' || s.status === 'timed-out')
      .map(([id, s]) => `${id}: ${s.error}`);
    expect(failed).toEqual([]);
    expect(outcome.result.notStarted).toEqual([]);
  });
});
