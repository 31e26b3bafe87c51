import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'diagnostics', 'unknown-output');
const reported = (name: string) =>
  compileTree(join(fixtures, name))
    .diagnostics.filter((d) => d.code === 'unknown-output')
    .map((d) => d.hint);

/** The fixtures assert codes and positions; these assert the hint an author acts on. */
describe('unknown-output', () => {
  it('suggests the result field closest to a misspelt one', () => {
    expect(reported('yaml')).toEqual(['did you mean "endpoint"?']);
  });

  it('checks if:, rollback bodies and declared outputs alike, and leaves shell outputs free-form', () => {
    expect(reported('rollback-and-if')).toEqual(['did you mean "lag"?', 'did you mean "previousValue"?']);
  });
});
