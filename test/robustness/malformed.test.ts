import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  aliasBombCases,
  binaryCases,
  deepCases,
  duplicateKeyCases,
  emptyCases,
  hugeCases,
  markupCases,
  trapCases,
  truncations,
  validMarkdown,
  validYaml,
  wrongTypeCases,
  type MalformedCase,
} from './cases.js';
import { breather } from '../support/breathe.js';
import { compileCase, runCli, tempRoot, violations, writeCase } from './harness.js';

/**
 * Malformed input never crashes the compiler: whatever is under runbooks/, compileTree returns,
 * reports at least one error with a code from the closed set and a range inside the file, and the
 * CLI exits 1 with valid JSON, in bounded time and memory.
 */
const root = tempRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));

const groups: [string, MalformedCase[]][] = [
  ['wrong types', wrongTypeCases()],
  ['huge values', hugeCases()],
  ['binary junk', binaryCases()],
  ['duplicate keys', duplicateKeyCases()],
  ['alias bombs', aliasBombCases()],
  ['deep nesting', deepCases()],
  ['empty files', emptyCases()],
  ['broken markup', markupCases()],
  ['traps for naive code', trapCases()],
];

// CPU-bound: tens of seconds on a loaded machine, so a generous timeout.
describe('malformed input never crashes the compiler', { timeout: 120_000 }, () => {
  describe.each(groups)('%s', (_group, cases) => {
    it.each(cases)('$name', (c) => {
      const result = compileCase(root, c);
      expect(violations(c, result)).toEqual([]);
    });
  });

  /** Every cut's violations; yields now and then (test/support/breathe.ts). */
  async function cutViolations(text: string, file: string, mayBeValid: boolean): Promise<string[]> {
    const breath = breather();
    const failures: string[] = [];
    for (const c of truncations(text, file)) {
      await breath();
      failures.push(...violations(c, compileCase(root, c), mayBeValid).map((v) => `${c.name}: ${v}`));
    }
    return failures;
  }

  it('every truncation of a YAML runbook is reported', async () => {
    expect(await cutViolations(validYaml, 'cut.yaml', false)).toEqual([]);
  });

  it('every truncation of a Markdown runbook loads (a cut after a whole step may be valid)', async () => {
    expect(await cutViolations(validMarkdown, 'cut.md', true)).toEqual([]);
  });

  it('the untruncated bases are valid, so the cuts above are what breaks them', () => {
    for (const c of [
      { name: 'yaml', file: 'base.yaml', content: validYaml },
      { name: 'md', file: 'base.md', content: validMarkdown },
    ]) {
      expect(compileCase(root, c).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });
});

/** The worst cases of each kind, end to end through bin/runbook.js (needs `npm run build`). */
const pick = (cases: MalformedCase[], name: string) => cases.find((c) => c.name.startsWith(name))!;
const cliCases = [
  pick(aliasBombCases(), 'billion laughs under'),
  pick(deepCases(), '10000 unclosed ['),
  pick(deepCases(), '10000 nested block quotes'),
  pick(hugeCases(), '1 MB run script'),
  pick(hugeCases(), '100k-element needs'),
  pick(binaryCases(), 'random bytes (.yaml)'),
  pick(markupCases(), 'unclosed code fence'),
  pick(markupCases(), 'unclosed {{#if in a Template body'),
  pick(trapCases(), 'uses an action named constructor'),
  { name: 'a truncated runbook', file: 'cut.yaml', content: validYaml.slice(0, validYaml.indexOf('retry:')) },
];

describe('the CLI on malformed input', () => {
  it.each(cliCases)(
    '$name: exit 1, JSON, bounded time and memory',
    (c) => {
      const dir = tempRoot();
      try {
        writeCase(dir, c);
        const run = runCli(dir);
        // A timeout kills with SIGTERM; an OOM aborts (SIGABRT / exit 134). Say which, with stderr.
        expect({ signal: run.signal, error: run.error?.message, stderr: run.stderr.slice(0, 2000) }).toEqual({
          signal: null,
          error: undefined,
          stderr: '',
        });
        expect(run.status).toBe(1);
        const rows = JSON.parse(run.stdout) as { code: string; severity: string; file: string }[];
        expect(rows.some((r) => r.severity === 'error' && r.file === `runbooks/${c.file}`)).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
