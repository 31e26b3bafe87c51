import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFiles, compileTree } from '../../compiler/compile.js';
import { emitters } from '../../compiler/emit/index.js';
import { validatorFor } from '../../compiler/validate/ajv.js';
import type { IrGraph } from '../../ir/types.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

/** The graph minus where it was written: what must agree between YAML and Markdown. */
function semantic(graph: IrGraph): unknown {
  const { origin: _o, ...rest } = graph;
  return { ...rest, nodes: rest.nodes.map(({ source: _s, ...n }) => n) };
}

// CPU-bound: tens of seconds on a loaded machine, so a generous timeout.
describe('step graph (IR)', { timeout: 120_000 }, () => {
  it('one runbook written in YAML and in Markdown compiles to the same graph and plan hash', () => {
    const fromYaml = compileTree(join(fixtures, 'equivalence', 'yaml'));
    const fromMarkdown = compileTree(join(fixtures, 'equivalence', 'markdown'));
    expect(fromYaml.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(fromMarkdown.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [y] = fromYaml.graphs;
    const [m] = fromMarkdown.graphs;
    expect(semantic(m)).toEqual(semantic(y));
    expect(m.planHash).toBe(y.planHash);
    expect(m.origin.format).toBe('markdown');
    expect(y.origin.format).toBe('yaml');
  });

  it('keeps source positions of steps pointing into the Markdown file', () => {
    const { graphs } = compileTree(join(fixtures, 'equivalence', 'markdown'));
    const byId = new Map(graphs[0].nodes.map((n) => [n.id, n.source]));
    // `{id=stop-writes …}` on the fence line (line 16), the yaml block's `id:` (line 22).
    expect(byId.get('stop-writes')).toMatchObject({ line: 16 });
    expect(byId.get('forensic-snapshot')).toMatchObject({ line: 22, column: 5 });
  });

  it('a change to what runs changes the plan hash; a comment does not', () => {
    const base = compileTree(join(fixtures, 'equivalence', 'yaml')).graphs[0];
    const files = [...compileTree(join(fixtures, 'equivalence', 'yaml')).project.files.values()];
    const text = files[0].text;
    const commented = compileFilesText(text.replace('phases:', '# a comment\n  phases:'));
    const changed = compileFilesText(text.replace('--replicas=0', '--replicas=1'));
    expect(commented.planHash).toBe(base.planHash);
    expect(changed.planHash).not.toBe(base.planHash);
  });

  it('every graph of the library validates against schemas/ir.schema.json', () => {
    const result = compileTree(join(import.meta.dirname, '..', '..'));
    expect(result.graphs.length).toBeGreaterThan(0);
    const validate = validatorFor('ir.schema.json');
    for (const g of result.graphs) {
      const emitted = JSON.parse(JSON.stringify({ $comment: 'x', ...g }));
      expect(validate(emitted), `${g.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('compiling twice emits byte-identical files', () => {
    const root = join(import.meta.dirname, '..', '..');
    const once = emitters.flatMap((e) => e.emit(compileTree(root)));
    const twice = emitters.flatMap((e) => e.emit(compileTree(root)));
    expect(once.length).toBeGreaterThan(0);
    expect(twice).toEqual(once);
  });
});

function compileFilesText(text: string): IrGraph {
  const r = compileFiles([{ path: 'runbooks/db.yaml', text }]);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.graphs[0];
}
