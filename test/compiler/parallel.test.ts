import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript module without types
import { generateCorpus } from '../../bench/corpus.js';

/**
 * Large trees are loaded, their docs pages built and their runbook workflows rendered on worker
 * threads (compiler/parallel). The
 * workers exist only in the built JavaScript, so this runs dist/ in a child process, with the
 * pool forced on (RUNBOOK_WORKERS=2, even on one core) and off (RUNBOOK_WORKERS=0), over a tree
 * big enough to use it, some files broken: every emitted byte and every diagnostic must agree.
 */
const repo = join(import.meta.dirname, '..', '..');
const built = existsSync(join(repo, 'dist', 'compiler', 'parallel', 'worker.js'));
const dir = mkdtempSync(join(tmpdir(), 'runbook-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script = `
const { compileTree } = await import(${JSON.stringify(join(repo, 'dist', 'compiler', 'compile.js'))});
const { emitters } = await import(${JSON.stringify(join(repo, 'dist', 'compiler', 'emit', 'index.js'))});
const result = compileTree(process.argv[1]);
const files = emitters.flatMap((e) => e.emit(result));
process.stdout.write(JSON.stringify({ diagnostics: result.diagnostics, files }));
`;

function compile(workers: string): { diagnostics: unknown[]; files: { path: string; content: string }[] } {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, dir], {
    env: { ...process.env, RUNBOOK_WORKERS: workers },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

// Two child processes compiling a large tree: tens of seconds on a loaded machine.
describe.skipIf(!built)('compiling on worker threads', { timeout: 120_000 }, () => {
  it('gives the same files and diagnostics as compiling on one thread', () => {
    generateCorpus(dir, { runbooks: 72, steps: 20 });
    const broken = (name: string, edit: (text: string) => string) => {
      const path = join(dir, 'runbooks', 'procedures', name);
      writeFileSync(path, edit(readFileSync(path, 'utf8')));
    };
    broken('bench-runbook-0003.yaml', (t) => t.replace('{{inputs.dr_region}}', '{{inputs.dr_regoin}}'));
    broken('bench-runbook-0005.yaml', (t) => t.replace('    - id: phase-2', '    - id: phase-2\n      bogus: [1, 2'));
    broken(
      'bench-runbook-0007.yaml',
      (t) => `${t}x:\n${Array.from({ length: 80 }, (_, i) => `${' '.repeat(i + 1)}k:\n`).join('')}`,
    );
    // A runbook run by another: its secret must reach the caller's workflow, which the workers
    // render from the secrets the calling thread works out (runSecrets reads every graph).
    writeFileSync(join(dir, 'runbooks', 'procedures', 'nested-child.yaml'), nestedChild);
    writeFileSync(join(dir, 'runbooks', 'procedures', 'nested-parent.yaml'), nestedParent);
    const parallel = compile('2');
    const inline = compile('0');
    expect(parallel.diagnostics.length).toBeGreaterThan(0);
    expect(parallel.files.length).toBeGreaterThan(72);
    const parent = parallel.files.find((f) => f.path === '.github/workflows/runbook-nested-parent.yml');
    expect(parent?.content).toContain('CHILD_ONLY_SECRET: ${{ secrets.CHILD_ONLY_SECRET }}');
    expect(parallel).toEqual(inline);
  });
});

const nestedChild = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: nested-child, owner: "@bench/sre" }
spec:
  secrets: [CHILD_ONLY_SECRET]
  phases:
    - id: only
      steps:
        - id: echo
          run: echo "$TOKEN" > /dev/null
          env: { TOKEN: "{{secrets.CHILD_ONLY_SECRET}}" }
`;

const nestedParent = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: nested-parent, owner: "@bench/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: child
          uses: runbook
          with: { runbook: nested-child }
`;
