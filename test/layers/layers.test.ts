import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer rules of `.dependency-cruiser.cjs` (`npm run lint:layers`): the real tree keeps them,
 * and each rule catches a violation. Fixture trees are small TypeScript trees written to a temp
 * folder with the repository's config, cruised the way the npm script cruises the repository.
 */
const repo = join(import.meta.dirname, '..', '..');
const depcruise = realpathSync(join(repo, 'node_modules', '.bin', 'depcruise'));
const layers = ['ir', 'common', 'compiler', 'executor', 'cli'];

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Cruise {
  readonly code: number | null;
  /** depcruise's report, whitespace collapsed: `error <rule>: <from> → <to>` per violation. */
  readonly report: string;
}

/** depcruise as `npm run lint:layers` runs it (the `err` reporter, whose exit code is the error count). */
function cruise(cwd: string): Cruise {
  const args = [depcruise, '--config', join(repo, '.dependency-cruiser.cjs'), '--output-type', 'err', ...layers];
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, report: `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' ').trim() };
}

/** A tree that keeps every rule: each layer imports only what it may. */
const clean: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
  }),
  'ir/plan.ts': `export interface Plan { readonly name: string }\n`,
  'common/markdown.ts': `import { EOL } from 'node:os';\nimport type { Plan } from '../ir/plan.js';\nexport const title = (p: Plan): string => '# ' + p.name + EOL;\n`,
  'compiler/compile.ts': `import type { Plan } from '../ir/plan.js';\nimport { title } from '../common/markdown.js';\nexport const compile = (name: string): Plan => ({ name: title({ name }) });\n`,
  'executor/run.ts': `import type { Plan } from '../ir/plan.js';\nimport { title } from '../common/markdown.js';\nexport const run = (p: Plan): string => title(p);\n`,
  'executor/facade/run.ts': `export { run } from '../run.js';\n`,
  'cli/main.ts': `import { compile } from '../compiler/compile.js';\nimport { run } from '../executor/facade/run.js';\nexport const main = (): string => run(compile('x'));\n`,
  'test/helper.ts': `export const helper = 1;\n`,
};

function tree(extra: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'runbook-layers-'));
  temps.push(root);
  for (const [path, text] of Object.entries({ ...clean, ...extra })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('layer rules (.dependency-cruiser.cjs)', { timeout: 120_000 }, () => {
  it('the repository keeps them', () => {
    const r = cruise(repo);
    expect(r.report).toMatch(/^✔ no dependency violations found/);
    expect(r.code).toBe(0);
  });

  it('a tree whose layers import only what they may passes', () => {
    const r = cruise(tree({}));
    expect(r.report).toMatch(/^✔ no dependency violations found/);
    expect(r.code).toBe(0);
  });

  // One tree with one violation of each kind (depcruise takes seconds to start): each must be reported.
  const violations: readonly (readonly [rule: string, files: Record<string, string>, edge: string])[] = [
    [
      'executor-not-compiler',
      { 'executor/to-compiler.ts': `import type { Plan } from '../compiler/compile.js';\nexport type P = Plan;\n` },
      'executor/to-compiler.ts → compiler/compile.ts',
    ],
    [
      'executor-not-compiler',
      { 'executor/to-cli.ts': `import { main } from '../cli/main.js';\nexport const m = main;\n` },
      'executor/to-cli.ts → cli/main.ts',
    ],
    [
      'compiler-not-executor',
      { 'compiler/to-executor.ts': `import { run } from '../executor/run.js';\nexport const r = run;\n` },
      'compiler/to-executor.ts → executor/run.ts',
    ],
    [
      'cli-through-facade',
      { 'cli/to-executor.ts': `import { run } from '../executor/run.js';\nexport const r = run;\n` },
      'cli/to-executor.ts → executor/run.ts',
    ],
    [
      'ir-is-a-leaf',
      { 'ir/to-common.ts': `import { title } from '../common/markdown.js';\nexport const t = title;\n` },
      'ir/to-common.ts → common/markdown.ts',
    ],
    [
      'common-only-ir',
      { 'common/to-compiler.ts': `import { compile } from '../compiler/compile.js';\nexport const c = compile;\n` },
      'common/to-compiler.ts → compiler/compile.ts',
    ],
    [
      'not-to-tests-or-tools',
      { 'compiler/to-test.ts': `import { helper } from '../test/helper.js';\nexport const h = helper;\n` },
      'compiler/to-test.ts → test/helper.ts',
    ],
    [
      'no-circular',
      {
        'executor/a.ts': `import { b } from './b.js';\nexport const a = (): number => b();\n`,
        'executor/b.ts': `import type { a } from './a.js';\nexport const b = (): number => 1;\nexport type A = typeof a;\n`,
      },
      'executor/a.ts → executor/b.ts',
    ],
  ];
  let broken: Cruise;
  beforeAll(() => {
    broken = cruise(tree(Object.assign({}, ...violations.map(([, files]) => files))));
  });

  it.each(violations.map(([rule, , edge]) => [rule, edge]))('%s catches %s', (rule, edge) => {
    expect(broken.report).toContain(`error ${rule}: ${edge}`);
  });

  it('fails with the number of violations as its exit code', () => {
    expect(broken.report).toContain(
      `x ${violations.length} dependency violations (${violations.length} errors, 0 warnings)`,
    );
    expect(broken.code).toBe(violations.length);
  });
});
