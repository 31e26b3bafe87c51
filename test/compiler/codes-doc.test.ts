import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCodesDoc } from '../../compiler/diagnostics/codes-doc.js';
import { diagnosticCodes } from '../../compiler/diagnostics/codes.js';
import { rules } from '../../compiler/rules/index.js';

describe('diagnostic code documentation', () => {
  it('docs/diagnostics.md is current (npm run docs)', () => {
    expect(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'diagnostics.md'), 'utf8')).toBe(
      renderCodesDoc(),
    );
  });

  it('rules only report documented codes, and every rule has an id and docs', () => {
    const ids = new Set<string>();
    for (const rule of rules) {
      expect(ids.has(rule.id), `duplicate rule id ${rule.id}`).toBe(false);
      ids.add(rule.id);
      expect(rule.docs.length).toBeGreaterThan(10);
      for (const code of rule.codes) expect(Object.keys(diagnosticCodes)).toContain(code);
    }
  });
});
