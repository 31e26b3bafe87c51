import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../support/cli.js';

/**
 * The compiler stays linear on hostile input (issue 9, item 9): `runbook validate` on a file built
 * to be slow answers quickly with a positioned finding instead of stalling CI. Before the fix,
 * 80,000 aliases took minutes (each alias resolved by a walk over the whole document), and so did
 * deep Markdown quotes, many keys (the parser's duplicate-key check) and many `{{ }}` in one value.
 * The deadline is a hang guard far above the real time (about a second); speed is in bench/.
 */
const guardMs = 60_000;
const header = 'apiVersion: runbook/v1\nkind: Runbook\nmetadata: { name: hostile, owner: "@acme/sre" }\n';
const markdownHead = `---\n${header}---\n# Hostile\n\n## Phase\n\n### Step\n\n\`\`\`sh\necho\n\`\`\`\n\n`;
const roots: string[] = [];

interface Finding {
  code: string;
  severity: string;
  file: string;
  line: number;
  column: number;
}

async function validate(
  file: string,
  text: string,
): Promise<{ status: number | null; findings: Finding[]; ms: number }> {
  const root = mkdtempSync(join(tmpdir(), 'runbook-bounds-'));
  roots.push(root);
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', file), text);
  const t0 = Date.now();
  const r = await runCliAsync(['validate', '--root', root, '--format', 'json'], {}, guardMs);
  const ms = Date.now() - t0;
  expect(r.stderr).not.toMatch(/internal error/i);
  return { status: r.status, findings: r.stdout ? (JSON.parse(r.stdout) as Finding[]) : [], ms };
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('the compiler on hostile input', { timeout: guardMs + 10_000 }, () => {
  it('80,000 aliases in 320 KB: refused at the alias past the limit (yaml-alias-limit)', async () => {
    const text = `${header}x-a: &a y\nx-list:\n${'- *a\n'.repeat(80_000)}`;
    expect(text.length).toBeGreaterThan(320_000);
    const r = await validate('aliases.yaml', text);
    expect(r.status).toBe(1);
    // 10,000 aliases are allowed; the 10,001st (line 5 + 10,001) is where the finding points.
    expect(r.findings).toEqual([expect.objectContaining({ code: 'yaml-alias-limit', line: 10_006, column: 3 })]);
  });

  it('a nine-fold alias bomb is refused at its first expanding alias', async () => {
    const levels = ['x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `x-${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9)
          .fill(`*${'abcdefghi'[i - 1]}`)
          .join(',')}]`,
      );
    const r = await validate('bomb.yaml', `${header}${levels.join('\n')}\n`);
    expect(r.status).toBe(1);
    expect(r.findings.map((f) => f.code)).toEqual(['yaml-alias-limit']);
  });

  it('100,000 nested Markdown quotes: refused before parsing (markdown-too-complex)', async () => {
    const r = await validate('quotes.md', `${markdownHead}${'>'.repeat(100_000)} deep\n`);
    expect(r.status).toBe(1);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'markdown-too-complex', line: 16, column: 33 })]);
  });

  it('a list nested 1,000 levels by indentation: refused (markdown-too-complex)', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i * 2)}- item`);
    const r = await validate('lists.md', `${markdownHead}${lines.join('\n')}\n`);
    expect(r.status).toBe(1);
    expect(r.findings.map((f) => f.code)).toEqual(['markdown-too-complex']);
  });

  it('40,000 headings: refused at the first heading past the limit (markdown-too-complex)', async () => {
    const r = await validate(
      'headings.md',
      `${markdownHead}${Array.from({ length: 40_000 }, (_, i) => `#### Note ${i}\n`).join('\n')}`,
    );
    expect(r.status).toBe(1);
    // 3 headings in the head, so the 1,998th note (line 16 + 2 × 1,997) is heading 2,001.
    expect(r.findings).toEqual([
      expect.objectContaining({ code: 'markdown-too-complex', line: 16 + 2 * 1997, column: 1 }),
    ]);
  });

  it('90,000 keys in one mapping load in linear time, and a repeated key is still an error', async () => {
    const keys = Array.from({ length: 90_000 }, (_, i) => `  k${i}: 1`).join('\n');
    const r = await validate(
      'keys.yaml',
      `${header}x-many:\n${keys}\n  k7: 2\nspec: { phases: [ { id: one, steps: [ { id: a, run: echo } ] } ] }\n`,
    );
    expect(r.status).toBe(1);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'yaml-syntax', line: 90_005, column: 3 })]);
  });

  it('a million `---` documents: refused after 100 (yaml-too-complex)', async () => {
    const r = await validate('docs.yaml', '---\n'.repeat(1_000_000));
    expect(r.status).toBe(1);
    expect(r.findings.filter((f) => f.code === 'yaml-too-complex')).toEqual([
      expect.objectContaining({ line: 101, column: 1 }),
    ]);
  });

  it('50,000 unknown inputs in one value: at most 100 findings, positioned in the value', async () => {
    const url = '{{inputs.nope}}'.repeat(50_000);
    const text = `${header}spec:\n  phases:\n    - id: one\n      steps:\n        - { id: a, uses: http.check, with: { url: "${url}" } }\n`;
    const r = await validate('exprs.yaml', text);
    expect(r.status).toBe(1);
    const unknown = r.findings.filter((f) => f.code === 'unknown-input');
    expect(unknown).toHaveLength(100);
    const column = text.split('\n')[7].indexOf('{{') + 1;
    expect(unknown[1]).toEqual(expect.objectContaining({ line: 8, column: column + 15 + '{{'.length }));
  });
});
