import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { linkedSet, mutations } from './mutants.js';
import { breather } from '../support/breathe.js';
import { compileCase, tempRoot, violations } from './harness.js';

/**
 * Mutation fuzz over a valid, cross-linked tree (runbook, Directory, Template, Checklist,
 * BackupPlan): every value of one file replaced by each JSON type or a prototype name, every key
 * renamed. Many mutants stay valid, so only crashes and malformed diagnostics fail — grouped by
 * the throwing frame so one bug reads as one line, with the mutants that reach it.
 */
const root = tempRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));
const set = linkedSet();

describe('mutations of a valid tree never crash the compiler', () => {
  it.each(Object.keys(set))(
    '%s',
    async (file) => {
      const breath = breather();
      const problems = new Map<string, string[]>();
      const note = (key: string, name: string) => problems.set(key, [...(problems.get(key) ?? []), name]);
      for (const c of mutations(file, set)) {
        await breath();
        try {
          for (const v of violations(c, compileCase(root, c), true)) note(v, c.name);
        } catch (e) {
          note(
            String((e as Error).stack)
              .split('\n')
              .slice(0, 2)
              .join(' ')
              .replace(/\s+/g, ' '),
            c.name,
          );
        }
      }
      expect(Object.fromEntries(problems)).toEqual({});
    },
    180_000,
  ); // hundreds of compiles: tens of seconds on a loaded machine
});
