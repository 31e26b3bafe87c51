import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { graphHash } from '../../ir/plan-hash.js';
import type { IrGraph } from '../../ir/types.js';
import { bin, cliEnv } from '../support/cli.js';

/**
 * The plan hash inside a generated graph proves only that the file agrees with itself: a graph
 * edited by hand with its hash recomputed used to run. `runbook run` now compares the graph with
 * what the sources compile to, and every generated run workflow checks `generated/` against the
 * sources (`runbook compile --check`) before its first step.
 */
const runbook = `apiVersion: runbook/v1
kind: Runbook
metadata: { name: guarded, owner: "@acme/sre" }
spec:
  phases:
    - id: only
      steps:
        - id: touch
          run: 'echo reviewed > "$MARK"'
          env: { MARK: "reviewed.txt" }
`;

let root: string;
const graphPath = () => join(root, 'generated', 'graphs', 'guarded.json');
const cli = (args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--root', root], {
    encoding: 'utf8',
    env: cliEnv(),
    timeout: 60_000,
    cwd: root,
  });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'runbook-generated-'));
  mkdirSync(join(root, 'runbooks'));
  writeFileSync(join(root, 'runbooks', 'guarded.yaml'), runbook);
  expect(cli(['compile']).status).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a generated graph that differs from its sources', () => {
  it('a hand-edited graph with a recomputed hash is refused before any step', () => {
    const original = readFileSync(graphPath(), 'utf8');
    const graph = JSON.parse(original) as { -readonly [K in keyof IrGraph]: IrGraph[K] };
    const step = graph.nodes.find((n) => n.id === 'touch') as unknown as { run: string };
    step.run = 'echo tampered > "$MARK"; touch tampered.txt';
    graph.planHash = graphHash(graph);
    writeFileSync(graphPath(), JSON.stringify(graph, null, 2) + '\n');
    try {
      const r = cli(['run', 'guarded', '--as', '@ops']);
      expect(r.status, r.stdout + r.stderr).toBe(6);
      expect(r.stderr).toMatch(/generated\/graphs\/guarded\.json differs from what runbooks\/ compiles to/);
      expect(existsSync(join(root, 'tampered.txt'))).toBe(false);
    } finally {
      writeFileSync(graphPath(), original);
    }
  });

  it('the graph as compiled runs', () => {
    const r = cli(['run', 'guarded', '--as', '@ops']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe('generated run workflows', () => {
  it('verify generated/ against the sources before the first step that runs a runbook', () => {
    const dir = join(root, '.github', 'workflows');
    const files = readdirSync(dir).filter((f) => f !== 'runbook-pr.yml');
    let checked = 0;
    for (const file of files) {
      const workflow = parse(readFileSync(join(dir, file), 'utf8')) as {
        jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
      };
      for (const job of Object.values(workflow.jobs)) {
        const runs = job.steps.map((s) => s.run ?? '');
        const check = runs.indexOf('npx --no runbook compile --check');
        const first = runs.findIndex((r) => /npx --no runbook (run|drill|run-request)\b/.test(r));
        if (first < 0) continue;
        checked++;
        expect(check, `${file}: no compile --check step`).toBeGreaterThanOrEqual(0);
        expect(check, `${file}: compile --check after the run`).toBeLessThan(first);
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
