import { it } from 'vitest';
import { trapCases } from './cases.js';
import { compileCase, tempRoot, violations } from './harness.js';
it('probe', () => {
  const root = tempRoot();
  for (const c of trapCases()) {
    try {
      const r = compileCase(root, c);
      console.log(c.name, violations(c, r), r.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.code}: ${d.message.slice(0, 90)}`));
    } catch (e) { console.log('CRASH', c.name, (e as Error).stack?.split('\n').slice(0, 8).join('\n')); }
  }
});
